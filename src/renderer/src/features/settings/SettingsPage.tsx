import { GovernanceSettings } from '../governance/GovernanceSettings';
import { windowActor } from '../tasks/actor';
import { ToolsSettings } from '../tools/ToolsSettings';
import { DataFolder } from './DataFolder';
import { GeneralSettings } from './GeneralSettings';
import { SchedulerSettingsSection } from './SchedulerSettingsSection';
import { useSettings } from './use-settings';

/**
 * Settings parts that have no channel in the contract. Each says so plainly rather than showing a
 * form that would change nothing.
 */
const UNAVAILABLE = [
  { id: 'token', title: 'API token', body: 'Rotating the API token has no channel in this build. The headless host makes a fresh token at every start.' },
];

export function SettingsPage() {
  const { view, setView, error } = useSettings();
  return (
    <>
      <section className="card" aria-labelledby="page-title">
        <h2 id="page-title">Settings</h2>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!view && !error && <p role="status">Loading settings…</p>}
      </section>
      {view && (
        <>
          <GeneralSettings view={view} onSaved={setView} />
          <DataFolder view={view} onSaved={setView} />
        </>
      )}
      <SchedulerSettingsSection />
      <GovernanceSettings actor={windowActor.who} />
      <ToolsSettings />
      {UNAVAILABLE.map((u) => (
        <section key={u.id} className="card unavailable" aria-labelledby={`${u.id}-title`} data-unavailable={u.id}>
          <h3 id={`${u.id}-title`}>
            {u.title} <span className="badge">unavailable</span>
          </h3>
          <p className="muted">{u.body}</p>
        </section>
      ))}
    </>
  );
}
