import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';
import { COACH_STATE_LABEL, useCoachState } from './coach-state.ts';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { parsePresence, presenceEntries, presenceSummary } from './presence.ts';

/** One fixed-height line: connection, what the coach is doing, and where the session is open. */
export function StatusStrip({ client }: { client: SessionClient }) {
  const connection = useSessionSelector(client, (s) => s.connection);
  const live = connection.status === 'live';
  return (
    <div className="strip">
      <ConnectionBadge client={client} />
      {(connection.status === 'reconnecting' || (connection.status === 'offline' && connection.reason === 'unreachable')) && (
        <button type="button" className="link-button" onClick={() => client.reconnectNow()}>
          Reconnect now
        </button>
      )}
      <CoachStatus client={client} live={live} />
      {live && <PresenceList client={client} />}
    </div>
  );
}

/** While not live, silence is the connection's doing, not the coach's: the badge says so instead. */
function CoachStatus({ client, live }: { client: SessionClient; live: boolean }) {
  const state = useCoachState(client);
  const shown = live ? state : 'idle';
  return (
    <span className={`coach-state ${shown}`} data-testid="coach-state" data-state={shown} role="status">
      {shown === 'idle' ? '' : COACH_STATE_LABEL[shown]}
    </span>
  );
}

function PresenceList({ client }: { client: SessionClient }) {
  const raw = useSessionSelector(client, (s) => s.presence);
  const entries = presenceEntries(parsePresence(raw));
  if (entries.length === 0) return null;
  const summary = presenceSummary(entries);
  return (
    <div className="presence" data-testid="presence">
      <span className="sr-only">Open on: </span>
      <span className="presence-summary" aria-hidden="true">
        <span className="presence-dot" />
        <span className="ellipsis">{summary}</span>
      </span>
      <ul aria-label={`Open on: ${summary}`} title={summary}>
        {entries.map((e) => (
          <li key={e.deviceId} className={e.isYou ? 'you' : undefined}>
            <span className="presence-dot" aria-hidden="true" />
            {e.name}
            {e.connections > 1 ? <span className="muted"> ×{e.connections}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
