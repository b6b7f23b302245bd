import { useSettings } from '../settings/use-settings';

/**
 * Shown on every task page while the user lets commands run without a sandbox: the one setting
 * that lifts the app's trust boundary must stay visible (each such run is journaled too).
 */
export function UnsandboxedBanner() {
  const { view } = useSettings();
  if (!view?.settings.runWithoutSandbox) return null;
  return (
    <div role="alert" className="banner banner-danger" data-testid="unsandboxed-banner">
      Commands run WITHOUT a sandbox when none is available (Settings → “Run commands without a sandbox”). Model-, spec- and tool-caused
      commands can then read your files and use the network. Each such run is recorded in the task’s journal.
    </div>
  );
}
