import { useEffect, useRef } from 'react';

/**
 * Shown instead of the app when the host refuses this page's token. Every launch mints a new token, so
 * a tab left open across a restart, a bookmark or a copied address stops working: say so, and say how
 * to get the current address.
 */
export function TokenProblem({ hadToken }: { hadToken: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="token-problem" id="main">
      <section className="card" aria-labelledby="token-problem-title">
        <h1 id="token-problem-title" ref={heading} tabIndex={-1}>
          {hadToken ? 'This page’s access token is no longer valid' : 'This address has no access token'}
        </h1>
        <p>
          {hadToken
            ? 'Agent Agency was restarted (or its token was rotated in Settings). Each launch makes a new token, so this tab, bookmark or copied address no longer connects.'
            : 'Agent Agency only answers pages opened with the address it prints at start-up, which carries a token for this launch.'}
        </p>
        <h2>Get the current address</h2>
        <ol>
          <li>
            In a terminal, run <code className="mono">agent-agency open</code> (or <code className="mono">npx agent-agency open</code> in the project folder). It prints the
            current address with its token and opens it in your browser.
          </li>
          <li>Or copy the “Open:” address from the output of <code className="mono">npm start</code> / <code className="mono">agent-agency serve</code>.</li>
        </ol>
        <p className="muted">Nothing was lost: tasks keep running in the app while this page is disconnected.</p>
        <button type="button" onClick={() => location.reload()}>
          Try again
        </button>
      </section>
    </main>
  );
}
