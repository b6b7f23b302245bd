import { AlertDialog } from 'radix-ui';
import { useEffect, useState } from 'react';
import { api, rememberToken } from '../../api';

/**
 * The local API's bearer token (REST API, OpenAI-compatible endpoint, MCP, the CLI) and its
 * rotation. Rotating locks out every client holding the old token; this page keeps working.
 */
export function ApiTokenSettings() {
  const [token, setToken] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api.getApiToken({}).then((r) => (r.ok ? setToken(r.value.token) : setError(r.error.message)));
  }, []);

  const rotate = async () => {
    setConfirming(false);
    const r = await api.rotateApiToken({});
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    rememberToken(r.value.token);
    setToken(r.value.token);
    setError(null);
    setMessage('Token rotated. Scripts and tools using the old token are refused from now on.');
  };

  return (
    <section className="card" aria-labelledby="api-token-title">
      <h3 id="api-token-title">API token</h3>
      <p className="muted">
        Scripts, the command line and other agents send it as <code>Authorization: Bearer …</code> to the local API on
        127.0.0.1. A new one is made at every start.
      </p>
      <div className="row">
        <label htmlFor="api-token" className="visually-hidden">
          API token
        </label>
        <input id="api-token" className="mono" readOnly type={shown ? 'text' : 'password'} value={token ?? ''} aria-describedby="api-token-title" />
        <button type="button" onClick={() => setShown((s) => !s)} aria-pressed={shown}>
          {shown ? 'Hide' : 'Show'}
        </button>
        <AlertDialog.Root open={confirming} onOpenChange={setConfirming}>
          <AlertDialog.Trigger asChild>
            <button type="button">Rotate token…</button>
          </AlertDialog.Trigger>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="dialog-overlay" />
            <AlertDialog.Content className="dialog">
              <AlertDialog.Title>Rotate the API token?</AlertDialog.Title>
              <AlertDialog.Description>
                Scripts, the command line and other agents holding the current token are refused at once; this window keeps working.
              </AlertDialog.Description>
              <div className="dialog-actions">
                <AlertDialog.Cancel asChild>
                  <button type="button" className="secondary">
                    Keep the token
                  </button>
                </AlertDialog.Cancel>
                <AlertDialog.Action asChild>
                  <button type="button" onClick={() => void rotate()}>
                    Rotate now
                  </button>
                </AlertDialog.Action>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      </div>
      {message && (
        <p className="form-ok" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
