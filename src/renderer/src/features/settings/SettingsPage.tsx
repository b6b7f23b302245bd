import { useEffect } from 'react';
import { href } from '../../router';
import { SloSettings } from '../alerts/SloSettings';
import { AttentionSettings } from '../attention/AttentionSettings';
import { GovernanceSettings } from '../governance/GovernanceSettings';
import { windowActor } from '../tasks/actor';
import { ToolsSettings } from '../tools/ToolsSettings';
import { ApiTokenSettings } from './ApiTokenSettings';
import { DataFolder } from './DataFolder';
import { GeneralSettings } from './GeneralSettings';
import { SchedulerSettingsSection } from './SchedulerSettingsSection';
import { useSettings } from './use-settings';
import './settings-layout.css';

export const SETTINGS_SECTIONS = [
  { id: 'general', label: 'General' },
  { id: 'notifications', label: 'Notifications' },
  { id: 'scheduler', label: 'Scheduler' },
  { id: 'governance', label: 'Governance' },
  { id: 'objectives', label: 'Objectives' },
  { id: 'tools', label: 'Tools' },
  { id: 'access', label: 'Access token' },
] as const;

/** Settings in sections, each reachable from the section list (and the command palette) by its own address. */
export function SettingsPage({ section }: { section?: string | undefined }) {
  const { view, setView, error } = useSettings();

  useEffect(() => {
    if (!section) return;
    const el = document.getElementById(`settings-${section}`);
    if (!el) return;
    el.scrollIntoView({ block: 'start' });
    el.querySelector<HTMLElement>('h3, h2')?.setAttribute('tabindex', '-1');
    el.querySelector<HTMLElement>('h3, h2')?.focus({ preventScroll: true });
  }, [section, view]);

  return (
    <>
      <section className="card" aria-labelledby="page-title">
        <h2 id="page-title" className="page-heading" tabIndex={-1}>
          Settings
        </h2>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!view && !error && <p role="status">Loading settings…</p>}
      </section>
      <div className="settings-layout">
        <nav className="settings-nav" aria-label="Settings sections">
          <ul>
            {SETTINGS_SECTIONS.map((s) => (
              <li key={s.id}>
                <a href={href({ page: 'settings', section: s.id })} aria-current={section === s.id ? 'location' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="settings-sections">
          <div id="settings-general" className="settings-section">
            {view && (
              <>
                <GeneralSettings view={view} onSaved={setView} />
                <DataFolder view={view} onSaved={setView} />
              </>
            )}
          </div>
          <div id="settings-notifications" className="settings-section">
            <AttentionSettings />
          </div>
          <div id="settings-scheduler" className="settings-section">
            <SchedulerSettingsSection />
          </div>
          <div id="settings-governance" className="settings-section">
            <GovernanceSettings actor={windowActor.who} />
          </div>
          <div id="settings-objectives" className="settings-section">
            <SloSettings actor={windowActor.who} />
          </div>
          <div id="settings-tools" className="settings-section">
            <ToolsSettings />
          </div>
          <div id="settings-access" className="settings-section">
            <ApiTokenSettings />
          </div>
        </div>
      </div>
    </>
  );
}
