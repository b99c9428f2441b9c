import { useEffect, useState } from 'react';
import { ApiError, type Api, type SessionSummary } from './api.ts';
import { Composer } from './Composer.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { MessageList } from './MessageList.tsx';
import { weekLabel } from './iso-week.ts';
import { PlanPanel } from './PlanPanel.tsx';

/** Same breakpoint as styles.css. */
const WIDE_LAYOUT_QUERY = '(min-width: 52rem)';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionClient, useSessionSelector } from '../session-client/use-session.ts';

export function ChatView({ api, sessionId, onSignedOut }: { api: Api; sessionId: string; onSignedOut: () => void }) {
  const client = useSessionClient(sessionId);
  const [meta, setMeta] = useState<SessionSummary | null>(null);

  useEffect(() => {
    let live = true;
    api.getSession(sessionId).then(
      (s) => live && setMeta(s),
      (e: unknown) => {
        if (live && e instanceof ApiError && e.status === 401) onSignedOut();
      },
    );
    return () => {
      live = false;
    };
  }, [api, sessionId, onSignedOut]);

  return (
    <div className="chat">
      <header className="bar">
        <a href="#/" className="back">
          ← Sessions
        </a>
        <h1 className="title">{meta?.title || 'Session'}</h1>
        {client && <ConnectionBadge client={client} />}
      </header>
      {client ? <ChatBody api={api} client={client} onSignedOut={onSignedOut} /> : <div className="scroller" />}
    </div>
  );
}

function ChatBody({ api, client, onSignedOut }: { api: Api; client: SessionClient; onSignedOut: () => void }) {
  const connection = useSessionSelector(client, (s) => s.connection);
  const plan = useSessionSelector(client, (s) => s.transcript.plan);
  const denied = connection.status === 'denied';
  // Open beside the chat on wide screens; a tap away on a phone, so the conversation keeps the room.
  const [planOpen, setPlanOpen] = useState(() => typeof matchMedia === 'function' && matchMedia(WIDE_LAYOUT_QUERY).matches);

  useEffect(() => {
    if (connection.status === 'denied' && connection.code === 4401) onSignedOut();
  }, [connection, onSignedOut]);

  return (
    <>
      <div className="chat-main">
        {denied ? (
          <p role="alert" className="center">
            This session does not exist or you have no access to it. <a href="#/">Back to sessions</a>
          </p>
        ) : (
          <MessageList client={client} />
        )}
        {plan && (
          <details className="plan-drawer" open={planOpen} onToggle={(e) => setPlanOpen(e.currentTarget.open)}>
            <summary>
              <h2>Plan · {weekLabel(plan.weekKey)}</h2>
            </summary>
            <PlanPanel api={api} weekKey={plan.weekKey} plan={plan.plan} />
          </details>
        )}
      </div>
      <Composer client={client} disabled={denied || connection.status === 'closed'} />
    </>
  );
}
