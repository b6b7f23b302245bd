import { GovernanceSettings } from '../governance/GovernanceSettings';
import { windowActor } from '../tasks/actor';
import { ToolsSettings } from '../tools/ToolsSettings';
import { ApiTokenSettings } from './ApiTokenSettings';
import { DataFolder } from './DataFolder';
import { GeneralSettings } from './GeneralSettings';
import { SchedulerSettingsSection } from './SchedulerSettingsSection';
import { useSettings } from './use-settings';

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
      <ApiTokenSettings />
    </>
  );
}
