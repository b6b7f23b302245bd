const PAGES = {
  models: {
    title: 'Models',
    body: 'Local GGUF models: the installed ones and a catalogue for Apple Silicon with a fit badge, downloads with progress, load and unload, role assignment and hot-swap. Not built yet — no model is loaded by this version.',
  },
  explorer: {
    title: 'Explorer',
    body: 'A read-only view of the app database: tables with row counts and schema, paged rows, and a SQL box on a read-only connection. Not built yet.',
  },
  metrics: {
    title: 'Metrics',
    body: 'Charts of tasks completed and failed, phase durations, tokens per second, council outcomes and the thermal timeline. Not built yet — no metrics are collected by this version.',
  },
  audit: {
    title: 'Audit',
    body: 'Export a task as a signed audit bundle and verify bundles offline. Not built yet.',
  },
  settings: {
    title: 'Settings',
    body: 'Data and models folders, thread count, scheduler thresholds, tier budgets, gate commands, waivers and the API token. Not built yet; the data folder is chosen with --data-dir or AGENT_AGENCY_DATA_DIR.',
  },
} as const;

export function ComingPage({ page }: { page: keyof typeof PAGES }) {
  const { title, body } = PAGES[page];
  return (
    <section className="card" aria-labelledby="page-title">
      <h2 id="page-title">{title}</h2>
      <p>{body}</p>
    </section>
  );
}
