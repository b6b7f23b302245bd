import { useAppStore } from '../store/store';

export function ConnectionBanner() {
  const status = useAppStore((s) => s.connection);
  if (status === 'connected') return null;
  return (
    <div className="banner" role="status">
      {status === 'reconnecting'
        ? 'Connecting to the app… If this persists, run "agent-agency open": it prints the current address with its access token and opens it.'
        : 'Disconnected from the app.'}
    </div>
  );
}
