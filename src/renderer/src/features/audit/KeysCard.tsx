import { useEffect, useState } from 'react';
import type { SigningKeyInfo } from '../../../../shared/channels/provenance';
import { api } from '../../api';

export function KeysCard() {
  const [keys, setKeys] = useState<SigningKeyInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    void api.listSigningKeys({}).then((r) => {
      if (live && r.ok) setKeys(r.value);
    });
    return () => {
      live = false;
    };
  }, []);
  if (!keys) return null;
  return (
    <section className="card" aria-labelledby="audit-keys-title">
      <h2 id="audit-keys-title">Signing keys</h2>
      <p className="hint">
        Ed25519 keys of this installation, named by their JWK thumbprint. Give the public key to whoever verifies your bundles
        (docs/verify-bundle.md); retired keys stay listed so old signatures remain verifiable.
      </p>
      <ul>
        {keys.map((k) => (
          <li key={k.kid}>
            <span className="mono">{k.kid}</span> {k.current ? <span className="badge state-completed">current</span> : <span className="badge">retired</span>}{' '}
            <span className="muted">created {new Date(k.createdAt).toLocaleString()}</span>
            <details>
              <summary>Public key (JWK)</summary>
              <pre className="mono">{JSON.stringify(k.publicJwk, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
