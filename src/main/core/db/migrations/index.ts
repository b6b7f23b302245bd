import { sql as m0001 } from './0001_init';
import { sql as m0002 } from './0002_engine';
import { sql as m0003 } from './0003_models';
import { sql as m0004 } from './0004_governance';
import { sql as m0005 } from './0005_provenance';
import { sql as m0006 } from './0006_scheduler';
import { sql as m0007 } from './0007_workspaces';
import { sql as m0008 } from './0008_settings';
import { sql as m0009 } from './0009_tools';
import { sql as m0010 } from './0010_standing_approvals';
import { sql as m0011 } from './0011_eval_runs';
import { sql as m0012 } from './0012_task_retry_of';
import { sql as m0013 } from './0013_federation';
import { sql as m0014 } from './0014_waiver_approver_channel';
import { sql as m0015 } from './0015_council_verdict_depth';
import { sql as m0016 } from './0016_model_tuning';
import { sql as m0017 } from './0017_slos_and_alerts';
import { sql as m0018 } from './0018_external_knowledge';
import { sql as m0019 } from './0019_model_downloads';
import { sql as m0020 } from './0020_task_spec_id';
import { sql as m0021 } from './0021_task_allow_network';
import { sql as m0022 } from './0022_slo_definition_history';
import { sql as m0023 } from './0023_task_spans';
import { sql as m0024 } from './0024_claims_and_attachments';
import { sql as m0025 } from './0025_analytics_cache';
import { sql as m0026 } from './0026_task_resource_totals';
import { sql as m0027 } from './0027_source_integrity_sources';
import { sql as m0028 } from './0028_knowledge_repository';

export type Migration = { version: number; name: string; sql: string };

/** Ordered; a migration's version is its position. Never edit one that has shipped: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', sql: m0001 },
  { version: 2, name: 'engine', sql: m0002 },
  { version: 3, name: 'models', sql: m0003 },
  { version: 4, name: 'governance', sql: m0004 },
  { version: 5, name: 'provenance', sql: m0005 },
  { version: 6, name: 'scheduler', sql: m0006 },
  { version: 7, name: 'workspaces', sql: m0007 },
  { version: 8, name: 'settings', sql: m0008 },
  { version: 9, name: 'tools', sql: m0009 },
  { version: 10, name: 'standing_approvals', sql: m0010 },
  { version: 11, name: 'eval_runs', sql: m0011 },
  { version: 12, name: 'task_retry_of', sql: m0012 },
  { version: 13, name: 'federation', sql: m0013 },
  { version: 14, name: 'waiver_approver_channel', sql: m0014 },
  { version: 15, name: 'council_verdict_depth', sql: m0015 },
  { version: 16, name: 'model_tuning', sql: m0016 },
  { version: 17, name: 'slos_and_alerts', sql: m0017 },
  { version: 18, name: 'external_knowledge', sql: m0018 },
  { version: 19, name: 'model_downloads', sql: m0019 },
  { version: 20, name: 'task_spec_id', sql: m0020 },
  { version: 21, name: 'task_allow_network', sql: m0021 },
  { version: 22, name: 'slo_definition_history', sql: m0022 },
  { version: 23, name: 'task_spans', sql: m0023 },
  { version: 24, name: 'claims_and_attachments', sql: m0024 },
  { version: 25, name: 'analytics_cache', sql: m0025 },
  { version: 26, name: 'task_resource_totals', sql: m0026 },
  { version: 27, name: 'source_integrity_sources', sql: m0027 },
  { version: 28, name: 'knowledge_repository', sql: m0028 },
];
