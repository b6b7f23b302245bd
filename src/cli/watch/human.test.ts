import { describe, expect, it } from 'vitest';
import { answeringCommands, parseWaitForHuman } from './human';

describe('--wait-for-human', () => {
  it('takes never, always and durations', () => {
    expect(parseWaitForHuman('never')).toEqual({ ok: true, value: { kind: 'never' } });
    expect(parseWaitForHuman('ALWAYS')).toEqual({ ok: true, value: { kind: 'always' } });
    expect(parseWaitForHuman('90s')).toEqual({ ok: true, value: { kind: 'for', ms: 90_000 } });
    expect(parseWaitForHuman('10m')).toEqual({ ok: true, value: { kind: 'for', ms: 600_000 } });
  });

  it('refuses anything else naming the flag', () => {
    for (const bad of ['soon', '10', '-5m', '0s', '9000h']) {
      const r = parseWaitForHuman(bad);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).toMatch(/^--wait-for-human: /);
    }
  });

  it('answers an escalation by override or deny, never by a plain approve', () => {
    const cmds = answeringCommands('tsk_1', 'escalation', ' --remote').map((c) => c.command);
    expect(cmds).toContain('agent-agency intervene tsk_1 override accept --reason "<why>" --remote');
    expect(cmds).toContain('agent-agency deny tsk_1 --gate escalation --reason "<why>" --remote');
    expect(cmds.some((c) => c.includes('approve'))).toBe(false);
  });
});
