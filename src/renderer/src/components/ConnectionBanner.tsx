import { useAppStore } from '../store/store';

export function ConnectionBanner() {
  const status = useAppStore((s) => s.connection);
  if (status === 'connected') return null;
  return (
    <div className="banner" role="status">
      {status === 'reconnecting'
        ? 'Connecting to the app… If this persists, open the address printed by "agent-agency serve" (it carries the access token).'
        : 'Disconnected from the app.'}
    </div>
  );
}
