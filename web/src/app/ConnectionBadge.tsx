import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';
import { connectionLabel } from './connection-label.ts';

export function ConnectionBadge({ client }: { client: SessionClient }) {
  const connection = useSessionSelector(client, (s) => s.connection);
  const queued = useSessionSelector(client, (s) => s.queued);
  const { text, tone } = connectionLabel(connection, queued);
  return (
    <span className={`badge ${tone}`} role="status" aria-live="polite" data-testid="connection">
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
