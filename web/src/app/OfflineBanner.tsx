import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';

/** One clear line while this device cannot reach the server. */
export function OfflineBanner({ client }: { client: SessionClient }) {
  const offline = useSessionSelector(client, (s) => s.connection.status === 'offline');
  if (!offline) return null;
  return (
    <div className="offline-banner" role="status" data-testid="offline-banner">
      You’re offline — messages will send when you’re back.
    </div>
  );
}
