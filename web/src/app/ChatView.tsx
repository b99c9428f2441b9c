import { useEffect, useState } from 'react';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { CLOSE_NOT_FOUND, CLOSE_SIGNED_OUT } from '../../../server/contract/close-codes.ts';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionClient, useSessionSelector } from '../session-client/use-session.ts';
import { ApiError, type Api, type SessionSummary, type User } from './api.ts';
import { Composer, MESSAGE_BOX_ID } from './Composer.tsx';
import { HandoffBar, InviteButton } from './Handoff.tsx';
import { weekLabel } from './iso-week.ts';
import { MessageList } from './MessageList.tsx';
import { PairButton } from './PairDialog.tsx';
import { PlanPanel } from './PlanPanel.tsx';
import { OfflineBanner } from './OfflineBanner.tsx';
import { ReplyAnnouncer } from './ReplyAnnouncer.tsx';
import { StatusStrip } from './StatusStrip.tsx';
import { useOpenTurn } from './use-open-turn.ts';
import { useUnseenChange } from './unseen-change.ts';

/** Same breakpoint as styles.css. */
const WIDE_LAYOUT_QUERY = '(min-width: 52rem)';

const KIND_LABEL: Record<string, string> = { plan: 'Weekly plan', review: 'Friday review', chat: 'Chat' };

/** Why this device left a conversation for the sign-in page. */
export type SignedOutReason = 'revoked' | 'expired';

export function ChatView({ api, sessionId, user, onSignedOut }: { api: Api; sessionId: string; user?: User; onSignedOut: (reason?: SignedOutReason) => void }) {
  const client = useSessionClient(sessionId);
  const [meta, setMeta] = useState<SessionSummary | null | 'failed'>(null);

  useEffect(() => {
    let live = true;
    api.getSession(sessionId).then(
      (s) => live && setMeta(s),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 401) onSignedOut('expired');
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
      {/* A button, not a #fragment link: the app routes on the hash. */}
      <button type="button" className="skip-link" onClick={() => document.getElementById(MESSAGE_BOX_ID)?.focus()}>
        Skip to the message box
      </button>
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
        <PairButton api={api} sessionId={sessionId} client={client} />
      </header>
      {client ? (
        <ChatBody
          api={api}
          client={client}
          kind={session?.kind}
          sessionId={sessionId}
          meId={user?.id ?? null}
          partner={session?.role === 'partner'}
          weekKey={session?.weekKey ?? null}
          metaSettled={meta !== null}
          onSignedOut={onSignedOut}
        />
      ) : (
        <main className="chat-main" />
      )}
    </div>
  );
}

function ChatBody({
  api,
  client,
  kind,
  sessionId,
  meId,
  partner,
  weekKey,
  metaSettled,
  onSignedOut,
}: {
  api: Api;
  client: SessionClient;
  kind: string | undefined;
  sessionId: string;
  meId: string | null;
  partner: boolean;
  weekKey: string | null;
  metaSettled: boolean;
  onSignedOut: (reason?: SignedOutReason) => void;
}) {
  const connection = useSessionSelector(client, (s) => s.connection);
  const denied = connection.status === 'denied';
  // Plans and reviews are guided: their coach speaks first. A free chat waits for the person.
  useOpenTurn(client, !denied && (kind === 'plan' || kind === 'review'));

  useEffect(() => {
    if (connection.status === 'denied' && connection.code === CLOSE_SIGNED_OUT) onSignedOut('revoked');
  }, [connection, onSignedOut]);

  // DOM order is the tab order: the message box two Tabs from the top, then the conversation (with
  // a copy button per message), then the plan. CSS places the box under the conversation.
  return (
    <>
      <StatusStrip client={client} />
      <OfflineBanner client={client} />
      {!denied && <HandoffBar api={api} client={client} sessionId={sessionId} meId={meId} partner={partner} />}
      <main className="chat-main">
        <Composer client={client} disabled={denied || connection.status === 'closed'} autoFocus />
        <section className="conversation" aria-label="Conversation">
          {denied ? (
            <p role="alert" className="center">
              {connection.code === CLOSE_NOT_FOUND ? 'This conversation was deleted.' : 'This session does not exist or you have no access to it.'} <a href="#/">Back to sessions</a>
            </p>
          ) : (
            <MessageList client={client} kind={kind} meId={meId} />
          )}
        </section>
        {!denied && <PlanDrawer api={api} client={client} weekKey={weekKey} metaSettled={metaSettled} sessionId={partner ? sessionId : null} />}
      </main>
      <ReplyAnnouncer client={client} />
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
  // Closed (on a phone), a change from another device or the coach is flagged on the summary.
  const unseen = useUnseenChange(plan?.version ?? null, open);

  return (
    <details className="plan-drawer" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="plan-drawer">
      <summary>
        <h2>
          Plan
          {plan && <WeekTitle weekKey={plan.weekKey} />}
          {plan && !open && <span className="muted small"> · {rockCount === 1 ? '1 rock' : `${rockCount} rocks`}</span>}
          {plan && !open && unseen && (
            <span className="badge ok plan-unseen" data-testid="plan-unseen">
              Updated
            </span>
          )}
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
