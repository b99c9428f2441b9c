import { useEffect, useState } from 'react';
import type { WeekPlan } from '../../../server/plan/types.ts';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionClient, useSessionSelector } from '../session-client/use-session.ts';
import { ApiError, type Api, type SessionSummary, type User } from './api.ts';
import { HandoffBar, InviteButton } from './Handoff.tsx';
import { Composer } from './Composer.tsx';
import { weekLabel } from './iso-week.ts';
import { MessageList } from './MessageList.tsx';
import { PairButton } from './PairDialog.tsx';
import { PlanPanel } from './PlanPanel.tsx';
import { StatusStrip } from './StatusStrip.tsx';

/** Same breakpoint as styles.css. */
const WIDE_LAYOUT_QUERY = '(min-width: 52rem)';

const KIND_LABEL: Record<string, string> = { plan: 'Weekly plan', review: 'Friday review', chat: 'Chat' };

export function ChatView({ api, sessionId, user, onSignedOut }: { api: Api; sessionId: string; user?: User; onSignedOut: () => void }) {
  const client = useSessionClient(sessionId);
  const [meta, setMeta] = useState<SessionSummary | null | 'failed'>(null);

  useEffect(() => {
    let live = true;
    api.getSession(sessionId).then(
      (s) => live && setMeta(s),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 401) onSignedOut();
        else setMeta('failed');
      },
    );
    return () => {
      live = false;
    };
  }, [api, sessionId, onSignedOut]);

  const session = meta === 'failed' ? null : meta;
  useEffect(() => {
    document.title = session?.title ? `${session.title} · Focus Coach` : 'Focus Coach';
  }, [session?.title]);

  return (
    <div className="chat">
      <header className="bar">
        <a href="#/" className="back">
          <span aria-hidden="true">←</span>
          <span className="back-label">Sessions</span>
        </a>
        <h1 className="title">
          {session?.title || KIND_LABEL[session?.kind ?? ''] || 'Session'}
          {session?.weekKey && <span className="kind muted small"> · Week {Number(session.weekKey.slice(-2))}</span>}
        </h1>
        {session?.role === 'partner' ? <span className="badge">Shared with you</span> : <InviteButton api={api} sessionId={sessionId} />}
        <PairButton api={api} sessionId={sessionId} />
      </header>
      {client ? (
        <ChatBody
          api={api}
          client={client}
          sessionId={sessionId}
          meId={user?.id ?? null}
          partner={session?.role === 'partner'}
          weekKey={session?.weekKey ?? null}
          metaSettled={meta !== null}
          onSignedOut={onSignedOut}
        />
      ) : (
        <div className="chat-main" />
      )}
    </div>
  );
}

function ChatBody({
  api,
  client,
  sessionId,
  meId,
  partner,
  weekKey,
  metaSettled,
  onSignedOut,
}: {
  api: Api;
  client: SessionClient;
  sessionId: string;
  meId: string | null;
  partner: boolean;
  weekKey: string | null;
  metaSettled: boolean;
  onSignedOut: () => void;
}) {
  const connection = useSessionSelector(client, (s) => s.connection);
  const denied = connection.status === 'denied';

  useEffect(() => {
    if (connection.status === 'denied' && connection.code === 4401) onSignedOut();
  }, [connection, onSignedOut]);

  return (
    <>
      <StatusStrip client={client} />
      {!denied && <HandoffBar api={api} client={client} sessionId={sessionId} meId={meId} />}
      <div className="chat-main">
        <section className="conversation" aria-label="Conversation">
          {denied ? (
            <p role="alert" className="center">
              This session does not exist or you have no access to it. <a href="#/">Back to sessions</a>
            </p>
          ) : (
            <MessageList client={client} meId={meId} />
          )}
        </section>
        {!denied && <PlanDrawer api={api} client={client} weekKey={weekKey} metaSettled={metaSettled} sessionId={partner ? sessionId : null} />}
      </div>
      <Composer client={client} disabled={denied || connection.status === 'closed'} />
    </>
  );
}

/**
 * The plan beside the chat. Loaded from the API once the log's replay is done (so the
 * answer is at least as new as everything replayed), then replaced by every live plan.updated.
 */
function PlanDrawer({
  api,
  client,
  weekKey,
  metaSettled,
  sessionId,
}: {
  api: Api;
  client: SessionClient;
  weekKey: string | null;
  metaSettled: boolean;
  /** Set for a partner: the plan is the owner's, read through the session. */
  sessionId: string | null;
}) {
  const live = useSessionSelector(client, (s) => s.transcript.plan);
  const replayed = useSessionSelector(client, (s) => s.serverLastSeq !== null);
  const [fetched, setFetched] = useState<{ plan: WeekPlan; baseSeq: number } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  // Open beside the chat on wide screens; a tap away on a phone, so the conversation keeps the room.
  const [open, setOpen] = useState(() => typeof matchMedia !== 'function' || matchMedia(WIDE_LAYOUT_QUERY).matches);

  useEffect(() => {
    if (!replayed || !metaSettled) return;
    let alive = true;
    const baseSeq = client.getSnapshot().transcript.lastSeq;
    const key = weekKey ?? client.getSnapshot().transcript.plan?.weekKey ?? null;
    (sessionId ? api.getSessionPlan(sessionId) : api.getWeek(key)).then(
      (plan) => alive && setFetched({ plan, baseSeq }),
      (e: unknown) => alive && setLoadError(e instanceof ApiError ? e.message : 'Could not load the plan.'),
    );
    return () => {
      alive = false;
    };
  }, [api, client, replayed, metaSettled, weekKey, sessionId]);

  const plan = live && (!fetched || live.seq > fetched.baseSeq) ? live.plan : (fetched?.plan ?? null);
  const rockCount = plan?.rocks?.filter((r) => r.status !== 'dropped').length ?? 0;

  return (
    <details className="plan-drawer" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="plan-drawer">
      <summary>
        <h2>
          Plan
          {plan && <WeekTitle weekKey={plan.weekKey} />}
          {plan && !open && <span className="muted small"> · {rockCount === 1 ? '1 rock' : `${rockCount} rocks`}</span>}
        </h2>
      </summary>
      {plan ? (
        <PlanPanel api={api} plan={plan} />
      ) : loadError ? (
        <p role="alert" className="error small">
          {loadError}
        </p>
      ) : (
        <p className="muted small" role="status">
          Loading the plan…
        </p>
      )}
    </details>
  );
}

/** " · Week 48 · 23–29 Nov 2026", the dates left out on narrow screens. */
function WeekTitle({ weekKey }: { weekKey: string }) {
  const [week, ...range] = weekLabel(weekKey).split(' · ');
  return (
    <>
      {` · ${week}`}
      {range.length > 0 && <span className="week-range">{` · ${range.join(' · ')}`}</span>}
    </>
  );
}
