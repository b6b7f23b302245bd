import { describe, expect, it } from 'vitest';
import type { PressureLevel } from '../../../shared/domain/scheduler';
import { heldSlot } from '../models/held-slot';
import type { InferenceAdmission, SlotRequest } from '../scheduler/admission';
import { roundLimiter } from './round-limiter';

class CountingAdmission implements InferenceAdmission {
  requests: SlotRequest[] = [];
  held = 0;
  async acquire(request: SlotRequest) {
    this.requests.push(request);
    this.held++;
    let released = false;
    return {
      preferSmallerModel: false,
      release: () => {
        if (!released) this.held--;
        released = true;
      },
    };
  }
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('council round limiter', () => {
  it('runs four judges at once on one scheduler slot while nominal, released when the last ends', async () => {
    const admission = new CountingAdmission();
    const limiter = roundLimiter({ admission, level: () => 'nominal' });
    let running = 0;
    let most = 0;
    const g = gate();
    const judges = [0, 1, 2, 3].map((i) =>
      limiter.run(`judge ${i}`, async () => {
        running++;
        most = Math.max(most, running);
        expect(heldSlot()).toMatchObject({ label: `judge ${i}` });
        await g.opened;
        running--;
        return i;
      }),
    );
    await tick();
    expect(most).toBe(4);
    expect(admission.requests).toHaveLength(1);
    expect(admission.requests[0]).toMatchObject({ priority: 'council' });
    g.open();
    expect(await Promise.all(judges)).toEqual([0, 1, 2, 3]);
    await tick();
    expect(admission.held).toBe(0);
  });

  it('narrows under pressure: two at fair, one at serious', async () => {
    for (const [level, expected] of [
      ['fair', 2],
      ['serious', 1],
    ] as Array<[PressureLevel, number]>) {
      const limiter = roundLimiter({ admission: new CountingAdmission(), level: () => level });
      let running = 0;
      let most = 0;
      await Promise.all(
        [0, 1, 2, 3].map((i) =>
          limiter.run(`judge ${i}`, async () => {
            running++;
            most = Math.max(most, running);
            await tick();
            await tick();
            running--;
          }),
        ),
      );
      expect(most).toBe(expected);
    }
  });

  it('a model call outside a round holds no slot', () => {
    expect(heldSlot()).toBeUndefined();
  });
});
