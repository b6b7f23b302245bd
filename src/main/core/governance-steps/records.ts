import { randomUUID } from 'node:crypto';
import type { FinalVerdict, GateResultRecord, JudgeVerdict, ReviewSubjectKind } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { AppFailure } from '../../../shared/errors';
import { checkCompliance, type ComplianceInput } from '../caws/compliance';
import { formatIssues } from '../caws/validate';
import { parseSpecYaml, serializeSpec } from '../caws/yaml';
import { cawsValidationsForTask, insertCawsValidation, type CawsValidationRecord } from '../db/queries/caws-validations';
import { insertGateResults, latestGateRun, type GateRun } from '../db/queries/gate-results';
import type { Db } from '../db/open';
import { insertSpecVersion, latestSpecForTask, setTaskSpec, specVersionsForTask, type SpecSource, type SpecVersionRow } from '../db/queries/specs';
import { insertResourceSample, resourceHistoryForTask, type ResourceSample } from '../db/queries/task-resource-history';
import { getTask } from '../db/queries/tasks';
import { conditionsOf, questionsOf, tally, violationsOf } from '../council/aggregate';
import { insertVerdict, verdictsForTask, type StoredVerdict } from '../db/queries/verdicts';
import type { Clock } from '../journal/journal';
import { JUDGE_WEIGHTS } from '../council/types';

export type GovernanceRecordsOptions = { db: Db; clock: Clock };

/** The governance rows of a task: spec versions, gate runs, verdicts, CAWS validations, resources. */
export class GovernanceRecords {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(options: GovernanceRecordsOptions) {
    this.db = options.db;
    this.clock = options.clock;
  }

  /** Stores a new version of the task's spec (validated) and makes it the task's current spec. */
  saveSpec(taskId: string, spec: WorkingSpec, source: SpecSource, author: string): SpecVersionRow {
    const yaml = serializeSpec(spec);
    const now = this.clock.now();
    return this.db.transaction(() => {
      if (!getTask(this.db, taskId)) throw new AppFailure('not_found', `no task with id ${taskId}`);
      const row = insertSpecVersion(this.db, { taskId, specId: spec.id, yaml, source, author, createdAt: now });
      setTaskSpec(this.db, taskId, yaml, now);
      return row;
    })();
  }

  /** The task's current spec: the latest stored version, else what the task row holds. */
  currentSpec(taskId: string): { yaml: string; spec: WorkingSpec; version: number | null } | undefined {
    const latest = latestSpecForTask(this.db, taskId);
    const yaml = latest?.yaml ?? getTask(this.db, taskId)?.spec ?? null;
    if (yaml === null) return undefined;
    const parsed = parseSpecYaml(yaml);
    if (!parsed.ok) throw new AppFailure('internal', `the stored spec of ${taskId} is invalid: ${formatIssues(parsed.issues)}`);
    return { yaml, spec: parsed.spec, version: latest?.version ?? null };
  }

  specVersions(taskId: string): SpecVersionRow[] {
    return specVersionsForTask(this.db, taskId);
  }

  recordValidation(taskId: string | null, subject: string, input: ComplianceInput): CawsValidationRecord {
    const report = checkCompliance(input);
    const record: CawsValidationRecord = {
      taskId,
      specId: report.specId,
      subject,
      compliance: report.compliance,
      violations: report.violations,
      suggestions: report.suggestions,
      createdAt: this.clock.now(),
    };
    insertCawsValidation(this.db, record);
    return record;
  }

  validations(taskId: string): CawsValidationRecord[] {
    return cawsValidationsForTask(this.db, taskId);
  }

  saveGateRun(taskId: string, results: readonly GateResultRecord[], runId = randomUUID()): string {
    insertGateResults(this.db, taskId, runId, results, this.clock.now());
    return runId;
  }

  latestGates(taskId: string): GateRun | undefined {
    return latestGateRun(this.db, taskId);
  }

  saveVerdict(taskId: string, subject: ReviewSubjectKind, verdict: FinalVerdict, rounds: readonly JudgeVerdict[]): string {
    const id = `vrd_${randomUUID().replace(/-/g, '')}`;
    insertVerdict(this.db, { id, taskId, subject, createdAt: this.clock.now(), verdict, rounds, weights: JUDGE_WEIGHTS });
    return id;
  }

  verdicts(taskId: string): StoredVerdict[] {
    // Conditions, questions and violations are derived from the final round exactly as the council did.
    return verdictsForTask(this.db, taskId).map((s) => {
      const judges = s.verdict.judges;
      return {
        ...s,
        verdict: {
          ...s.verdict,
          conditions: s.verdict.decision === 'accept' ? conditionsOf(judges) : [],
          questions: tally(judges, s.verdict.riskTier).outcome === 'needs-info' ? questionsOf(judges) : [],
          violations: violationsOf(judges),
        },
      };
    });
  }

  recordResources(sample: Omit<ResourceSample, 'createdAt'>): void {
    insertResourceSample(this.db, { ...sample, createdAt: this.clock.now() });
  }

  resources(taskId: string): ResourceSample[] {
    return resourceHistoryForTask(this.db, taskId);
  }
}
