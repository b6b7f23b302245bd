import { useState } from 'react';
import { chime, setPrefs, useAttentionPrefs } from './prefs';

/** Settings: how a pending approval reaches you in this browser. */
export function AttentionSettings() {
  const prefs = useAttentionPrefs();
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState<string>(supported ? Notification.permission : 'unsupported');
  const desktop = Boolean(window.agentAgency);

  const ask = async () => {
    if (!supported) return;
    setPermission(await Notification.requestPermission());
  };

  return (
    <section className="card settings-form" aria-labelledby="attention-title">
      <h3 id="attention-title">Notifications</h3>
      <p className="hint">A task waiting for your approval shows a count beside Tasks and in the tab title{desktop ? ', and in the menu bar' : ''}.</p>
      {desktop ? (
        <p className="hint">The desktop app shows system notifications for approvals.</p>
      ) : (
        <>
          <label className="checkbox">
            <input type="checkbox" checked={prefs.notifications} onChange={(e) => setPrefs({ notifications: e.target.checked })} />
            Browser notification for each new approval
          </label>
          <p className="hint" role="status">
            {permission === 'granted'
              ? 'This browser allows notifications from Agent Agency.'
              : permission === 'denied'
                ? 'This browser blocks notifications from this address; allow them in the site settings.'
                : permission === 'unsupported'
                  ? 'This browser has no notifications.'
                  : 'The browser has not been asked yet.'}{' '}
            {permission === 'default' ? (
              <button type="button" className="secondary" onClick={() => void ask()}>
                Allow notifications
              </button>
            ) : null}
          </p>
        </>
      )}
      <label className="checkbox">
        <input type="checkbox" checked={prefs.sound} onChange={(e) => setPrefs({ sound: e.target.checked })} />
        Play a sound
      </label>
      <button type="button" className="secondary" onClick={chime}>
        Test the sound
      </button>
    </section>
  );
}
