import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelEvent } from '../../../../shared/domain/model';
import { openDatabase, type Db } from '../../db/open';
import { Journal, systemClock } from '../../journal/journal';
import { silentLogger } from '../../observability/logger';
import type { InferenceAdmission, SlotRequest } from '../../scheduler/admission';
import { TaskService } from '../../tasks/task-service';
import { estimateMemory, type FitPolicy } from '../fit';
import { fixedMemoryProbe, type MemoryProbe } from '../memory-probe';
import { realModelProviders } from '../providers/model-providers';
import { ModelService, type ModelServiceOptions } from '../model-service';
import { ensureTestModel } from './test-model';

/** Admission that grants every request at once and remembers what was asked, for assertions. */
export class RecordingAdmission implements InferenceAdmission {
  readonly requests: SlotRequest[] = [];
  held = 0;
  async acquire(request: SlotRequest) {
    this.requests.push(request);
    this.held++;
    let released = false;
    return {
      preferSmallerModel: false,
      release: () => {
        if (released) return;
        released = true;
        this.held--;
      },
    };
  }
}

export type ServiceFixture = {
  dir: string;
  /** A git repository beside the data folder, for tasks (a target never lies in the data folder). */
  repo: string;
  db: Db;
  journal: Journal;
  tasks: TaskService;
  service: ModelService;
  admission: RecordingAdmission;
  events: ModelEvent[];
  /** Paths of distinct copies of the test model (distinct registry entries). */
  modelCopy(name: string): string;
  close(): Promise<void>;
};

/** A model service on a temp database with the real node-llama-cpp loader (1 thread, CPU). */
export async function serviceFixture(overrides: Partial<ModelServiceOptions> = {}): Promise<ServiceFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-models-'));
  const repo = mkdtempSync(join(tmpdir(), 'aa-models-repo-'));
  execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'ignore' });
  const logger = silentLogger();
  const db = openDatabase({ file: join(dir, 'db.sqlite'), logger });
  const journal = new Journal({ db, clock: systemClock });
  const tasks = new TaskService({ db, journal, clock: systemClock, logger });
  const admission = new RecordingAdmission();
  const source = await ensureTestModel();
  const service = new ModelService({
    db,
    journal,
    clock: systemClock,
    logger,
    modelsDir: join(dir, 'models'),
    admission,
    providers: realModelProviders({ logger, clock: systemClock, threads: 1, gpu: false }),
    idleUnloadMs: 0,
    memory: fixedMemoryProbe({ totalBytes: 64 * 1024 ** 3, availableBytes: 48 * 1024 ** 3, gpu: 'cpu' }),
    ...overrides,
  });
  const events: ModelEvent[] = [];
  service.events.subscribe((e) => events.push(e));
  return {
    dir,
    repo,
    db,
    journal,
    tasks,
    service,
    admission,
    events,
    modelCopy(name) {
      const path = join(dir, `${name}.gguf`);
      copyFileSync(source, path);
      return path;
    },
    async close() {
      await service.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(repo, { recursive: true, force: true });
    },
  };
}

/** Memory numbers and policy under which exactly `count` test models fit at once. */
export function roomFor(count: number, facts: Parameters<typeof estimateMemory>[0]['facts'], sizeBytes: number, contextSize: number): { memory: MemoryProbe; policy: FitPolicy } {
  const need = estimateMemory({ sizeBytes, facts, contextSize }).neededBytes;
  const total = Math.floor(need * (count + 0.5));
  return {
    memory: fixedMemoryProbe({ totalBytes: total, availableBytes: total, gpu: 'cpu' }),
    policy: { budgetShare: 1, reserveBytes: 0, tightShare: 0.99 },
  };
}
