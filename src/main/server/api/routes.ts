/**
 * The REST API as data: each row maps one HTTP route under /api/v1 onto one contract channel.
 * The server registers a row only when its channel exists in the contract, parses the request
 * with that channel's zod schema (through ContractSession), and the OpenAPI document and the
 * CLI's remote client are derived from the same rows, so a route is written exactly once.
 *
 * Input of a call = JSON body (POST/PUT/PATCH) or query string (GET/DELETE), plus each `:param`
 * of the path under the input field of the same name (or the one named in `params`).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RestRoute = {
  method: HttpMethod;
  /** Path under /api/v1, fastify syntax (`/tasks/:id`). */
  path: string;
  /** Contract channel that answers. Rows whose channel is not (yet) in the contract are not served. */
  channel: string;
  summary: string;
  tag: string;
  /** Path parameter -> input field, where they differ. */
  params?: Readonly<Record<string, string>>;
  /** Status on success; 200 unless said. */
  status?: 200 | 201 | 202;
  /** Answers with Server-Sent Events instead of one JSON reply (channel `subscribe`). */
  stream?: boolean;
  /** Unique name in the OpenAPI document; the channel name unless said. */
  operationId?: string;
  /** Largest request body in bytes, where the channel accepts more than the host's 1 MB default. */
  bodyLimit?: number;
};

type Extra = Pick<RestRoute, 'params' | 'status' | 'stream' | 'operationId' | 'bodyLimit'>;
const row =
  (method: HttpMethod) =>
  (path: string, channel: string, tag: string, summary: string, extra: Extra = {}): RestRoute => ({
    method,
    path,
    channel,
    tag,
    summary,
    ...extra,
  });
const get = row('GET');
const post = row('POST');
const put = row('PUT');
const patch = row('PATCH');
const del = row('DELETE');

/** Channels whose input names the task `taskId` (most name it `id`). */
const task = { params: { id: 'taskId' } } as const;

export const API_PREFIX = '/api/v1';

/** Largest submit body: the attachments' limit (16 MB) as base64, with room for the rest. */
export const SUBMIT_BODY_LIMIT = 24 * 1024 * 1024;

export const ROUTES: readonly RestRoute[] = [
  // Tasks and their event streams.
  post('/tasks', 'submitTask', 'tasks', 'Submit a task (with attachments: text, Markdown, PDF and images as base64)', {
    status: 201,
    // Attachments travel in the body: at most 16 MB of files, a third more as base64.
    bodyLimit: SUBMIT_BODY_LIMIT,
  }),
  get('/tasks', 'listTasks', 'tasks', 'List tasks, newest first'),
  get('/tasks/:id', 'getTask', 'tasks', 'A task with its events'),
  get('/tasks/:id/events', 'subscribe', 'tasks', "A task's events as Server-Sent Events, from ?after= or Last-Event-ID", {
    ...task,
    stream: true,
    operationId: 'streamTaskEvents',
  }),
  get('/events', 'subscribe', 'tasks', 'Events of every task as Server-Sent Events, live or from ?after=', {
    stream: true,
    operationId: 'streamEvents',
  }),

  // Intervention (engine).
  post('/tasks/:id/pause', 'pauseTask', 'intervention', 'Pause a task at the next safe boundary'),
  post('/tasks/:id/resume', 'resumeTask', 'intervention', 'Resume a paused task'),
  post('/tasks/:id/cancel', 'cancelTask', 'intervention', 'Cancel a task'),
  post('/tasks/:id/guidance', 'guideTask', 'intervention', 'Send guidance that enters at the next step'),
  post('/tasks/:id/override', 'overrideDecision', 'intervention', "Override the council's decision"),
  patch('/tasks/:id', 'modifyTask', 'intervention', 'Change the limits of a task (iterations, time budget)'),

  // Approvals.
  post('/tasks/:id/approve', 'approve', 'approvals', 'Grant the approval a task waits for; scope once (default), phase or task'),
  post('/tasks/:id/deny', 'deny', 'approvals', 'Deny the approval a task waits for'),
  get('/tasks/:id/standing-approvals', 'listStandingApprovals', 'approvals', "A task's standing approvals (?includeRevoked=true for revoked ones too)", task),
  post('/tasks/:id/standing-approvals/revoke', 'revokeApproval', 'approvals', 'Revoke a standing approval (body: approvalId); later gates stop again', task),
  get('/tasks/:id/tool-call', 'getPendingToolCall', 'approvals', 'The tool call a task waits on, if any'),
  post('/tasks/:id/tool-call/approve', 'approveToolCall', 'approvals', 'Approve the tool call a task waits on (once, for the task, or always)'),

  // Tools (MCP servers).
  get('/tools/servers', 'listToolServers', 'tools', 'Configured MCP servers with their health'),
  post('/tools/servers', 'addToolServer', 'tools', 'Add (or with replace, change) an MCP server', { status: 201 }),
  post('/tools/servers/import', 'importToolServers', 'tools', 'Import servers from an { "mcpServers": … } JSON file'),
  del('/tools/servers/:name', 'removeToolServer', 'tools', 'Remove an MCP server configured in Settings'),
  post('/tools/servers/:name/restart', 'restartToolServer', 'tools', 'Restart an MCP server (forgets earlier crashes)'),
  get('/tools', 'listTools', 'tools', 'Tools of every running server, namespaced server.tool'),
  put('/tools/permissions', 'setToolPermission', 'tools', 'Set a tool’s or a server’s permission (always, ask, never)'),
  put('/tools/preferences', 'setToolPreference', 'tools', 'Choose the server a bare tool name means'),
  get('/tools/grants', 'listToolGrants', 'tools', 'Tool grants (for a task, or all)'),
  post('/tools/grants/revoke', 'revokeToolGrant', 'tools', 'Revoke a tool grant (body: id, actor)'),
  post('/tools/call', 'callTool', 'tools', 'Call a tool scoped to a folder, through the same guard and permissions as a task'),

  // Governance.
  get('/waivers', 'listWaivers', 'governance', 'List waivers with their status'),
  post('/waivers', 'createWaiver', 'governance', 'Create a waiver (pending until approved)', { status: 201 }),
  post('/waivers/:id/approve', 'approveWaiver', 'governance', 'Approve a waiver'),
  post('/waivers/:id/revoke', 'revokeWaiver', 'governance', 'Revoke a waiver; it covers nothing afterwards'),
  post('/specs/validate', 'validateSpec', 'governance', 'Validate a working spec (CAWS YAML), naming each bad field'),
  get('/policy', 'getPolicy', 'governance', 'The tier policy (budgets, gate modes, coverage)'),
  patch('/policy', 'setPolicy', 'governance', 'Change the tier policy'),
  get('/tasks/:id/spec', 'getTaskSpec', 'governance', "A task's working spec and its versions", task),
  put('/tasks/:id/spec', 'updateTaskSpec', 'governance', "Replace a task's working spec", task),
  get('/tasks/:id/gates', 'getTaskGates', 'governance', "A task's latest quality gate results", task),
  get('/tasks/:id/verdicts', 'getTaskVerdicts', 'governance', "A task's council verdicts, every vote of every round", task),

  // Provenance.
  post('/tasks/:id/bundle', 'exportBundle', 'provenance', "Export a task's audit bundle (written to the data folder; `inline` returns its bytes)", {
    ...task,
    status: 201,
  }),
  post('/bundles/verify', 'verifyBundle', 'provenance', 'Verify an audit bundle and name any altered, removed or reordered record', {
    // The contract accepts bundles of up to 100 million characters.
    bodyLimit: 110 * 1024 * 1024,
  }),
  get('/provenance/commits', 'listAuditCommits', 'provenance', 'Commits of the audit repository'),
  get('/provenance/keys', 'listSigningKeys', 'provenance', 'Signing keys (public parts)'),

  // Models.
  get('/models', 'modelsSnapshot', 'models', 'Models, roles, catalogue, downloads and machine memory'),
  get('/models/events', 'modelEvents', 'models', 'Model service events after ?afterSeq='),
  post('/models', 'addModel', 'models', 'Register a local GGUF file', { status: 201 }),
  post('/models/remote', 'addRemoteModel', 'models', 'Register a model behind an OpenAI-compatible endpoint', { status: 201 }),
  del('/models/:name', 'removeModel', 'models', 'Remove a model from the registry'),
  post('/models/:name/load', 'loadModel', 'models', 'Load a model'),
  post('/models/:name/unload', 'unloadModel', 'models', 'Unload a model'),
  put('/models/roles/:role', 'assignModelRole', 'models', 'Assign a model (and alternates) to a role'),
  post('/models/roles/:role/swap', 'swapModel', 'models', 'Hot-swap the model of a role without dropping requests'),
  put('/models/roles/:role/canary', 'setModelCanary', 'models', 'Send a share of a role to a candidate model'),
  del('/models/roles/:role/canary', 'clearModelCanary', 'models', "End a role's canary"),
  post('/models/downloads', 'startModelDownload', 'models', 'Download a model (catalogue id or URL)', { status: 202 }),
  post('/models/downloads/:id/pause', 'pauseModelDownload', 'models', 'Pause a download'),
  post('/models/downloads/:id/resume', 'resumeModelDownload', 'models', 'Resume a download'),
  post('/models/downloads/:id/cancel', 'cancelModelDownload', 'models', 'Cancel a download'),
  post('/models/:name/tune', 'startModelTune', 'models', 'Start tuning a local model’s inference settings (body: budget, 3 to 60 trials); one run at a time', { status: 202 }),
  post('/models/:name/tune/cancel', 'cancelModelTune', 'models', 'Cancel the tuning run of a model; nothing is stored'),
  get('/models/:name/tune', 'getModelTune', 'models', 'The running or last tuning run of a model: trials, best setting, default throughput and gain'),

  // Figures of the Metrics page (Prometheus metrics are at /metrics).
  get('/stats', 'getMetrics', 'metrics', 'Outcomes, phase durations, throughput and queue over a window'),
  get('/eval/runs', 'listEvalRuns', 'metrics', 'Stored agent-agency eval runs with models and totals, newest first'),
  post('/estimates', 'estimateTask', 'metrics', "A new task's expected active time, tokens and peak memory, from finished tasks like it"),
  get('/tasks/:id/estimate', 'getTaskEstimate', 'metrics', "A task's estimate with what it has used so far", task),

  // Scheduler.
  get('/scheduler', 'getSchedulerState', 'scheduler', 'Pressure state and admission'),
  get('/scheduler/decisions', 'listSchedulerDecisions', 'scheduler', 'Recent scheduler decisions'),
  get('/scheduler/timeline', 'getPressureTimeline', 'scheduler', 'Pressure over time'),
  get('/scheduler/settings', 'getSchedulerSettings', 'scheduler', 'Scheduler settings'),
  patch('/scheduler/settings', 'updateSchedulerSettings', 'scheduler', 'Change scheduler settings'),

  get('/tasks/:id/patch', 'getTaskPatch', 'tasks', "The task's current or kept patch (workspace, dry-run or applied commit)", { params: { id: 'taskId' } }),
  post('/tasks/:id/retry', 'retryTask', 'tasks', 'Retry a failed or cancelled task (or re-run a finished one) with the same inputs, linked to it', { status: 201 }),
  get('/tasks/:id/promote', 'checkPromote', 'tasks', "Whether a dry-run's kept patch can be promoted now, and why not"),
  post('/tasks/:id/promote', 'promoteTask', 'tasks', "Apply a dry-run's kept patch (checked by sha256) to the repository as it is now"),
  post('/tasks/:id/folder', 'openTaskFolder', 'tasks', "The task's workspace folder, shown in a file manager where there is a display"),
  get('/repositories/check', 'checkRepository', 'tasks', 'Check a folder before submitting a task: exists, git, inside the allowed roots'),
  get('/models/local', 'discoverLocalModels', 'models', 'Models this machine already has: running local servers (Ollama, LM Studio, llama.cpp) and GGUF files on disk'),

  get('/explorer/tables', 'listExplorerTables', 'explorer', 'Tables of the app database with row counts and schema (read-only)'),
  post('/explorer/rows', 'listExplorerRows', 'explorer', 'A page of rows of one table, sorted and filtered (read-only)'),
  post('/explorer/query', 'runExplorerQuery', 'explorer', 'Run one SQL statement on a read-only connection with row and time limits'),

  get('/settings', 'getSettings', 'settings', 'App settings'),
  patch('/settings', 'updateSettings', 'settings', 'Change app settings'),

  post('/access/token/rotate', 'rotateApiToken', 'access', 'Rotate the API token: the one in this request stops working'),

  // Objectives and alerts (computed from the journal).
  get('/slos', 'listSlos', 'observability', 'Service-level objectives with their SLI, error budget left and burn rates'),
  put('/slos', 'setSlo', 'observability', 'Change an objective (target, window, threshold, burn-rate rules); the body names it by definition.id'),
  get('/slos/changes', 'listSloChanges', 'observability', 'Every change of the objectives (who, when, before and after), newest first'),
  get('/alerts', 'listAlerts', 'observability', 'Alerts (firing, resolved or all) and their history'),
  post('/alerts/:id/acknowledge', 'acknowledgeAlert', 'observability', 'Acknowledge an alert'),
  post('/alerts/:id/silence', 'silenceAlert', 'observability', 'Silence an alert until a time; it does not fire again before then'),

  // Knowledge base (documents, PDFs, images by OCR) and what a task carries and claims.
  post('/knowledge', 'addKnowledge', 'knowledge', 'Add files (absolute paths on the app’s machine) to the knowledge base; each is added, unchanged or refused with the reason', { status: 201 }),
  get('/knowledge', 'listKnowledge', 'knowledge', 'Knowledge base entries (?includeAttachments=true for task attachments too)'),
  get('/knowledge/search', 'searchKnowledge', 'knowledge', 'Ranked chunks for ?query= with source, location, score and text (?taskId= adds that task’s attachments)'),
  del('/knowledge/:id', 'removeKnowledge', 'knowledge', 'Remove an entry with its chunks'),
  get('/tasks/:id/attachments', 'getTaskAttachments', 'knowledge', "A task's attachments and whether each was read (and how, or why not)", task),
  get('/tasks/:id/claims', 'getTaskClaims', 'governance', "A task's claim table (worker and judges, each verified, refuted or unverifiable) and its criteria's standing", task),

  get('/logs', 'getLogs', 'observability', "The host's structured log lines (newest last), optionally of one task (?taskId=)"),

  // Council calibration (learned from outcomes; federation is driven from the command line).
  get('/calibration', 'getCalibration', 'governance', 'The council calibration, what it was learned from (counts), its effect, and federation membership'),
  put('/calibration/mode', 'setCalibrationMode', 'governance', 'Turn the calibration off, to suggest, or to apply'),
  post('/calibration/fit', 'fitCalibration', 'governance', "Refit the calibration from this installation's outcomes"),
];

/** Path parameters of a route, in order (`/tasks/:id/events` -> ['id']). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/** The input field a path parameter fills. */
export function paramField(route: RestRoute, param: string): string {
  return route.params?.[param] ?? param;
}

export const bodyCarriesInput = (method: HttpMethod) => method === 'POST' || method === 'PUT' || method === 'PATCH';
