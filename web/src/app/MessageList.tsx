import { memo, useEffect, useRef, useState } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import type { AssistantMessage, Transcript, UserMessage } from '../session-client/transcript.ts';
import { useMessage, useSessionSelector } from '../session-client/use-session.ts';
import { answerActions, continueAnswer, localCancels, retryAnswer } from './chat-actions.ts';
import { CopyButton } from './CopyButton.tsx';
import { FirstRunIntro } from './FirstRunIntro.tsx';
import { messageDateTime, messageTime } from './message-time.ts';
import { QuickReplies } from './QuickReplies.tsx';

const PIN_THRESHOLD_PX = 48;
/** A Retry or Continue that the server refused (or that got lost) offers its buttons again after this. */
const REQUEST_SETTLE_MS = 6_000;

/**
 * The answer that may be retried or continued (SL15): the conversation's last word, when it
 * is the coach's. Once the person wrote after it, it is history.
 */
export function latestAnswerId(t: Transcript): string | null {
  const last = t.messages[t.messages.length - 1];
  return last?.kind === 'assistant' ? last.id : null;
}

export function MessageList({ client, kind, meId = null }: { client: SessionClient; kind?: string; meId?: string | null }) {
  // messageIds keeps its identity while text streams: this list renders once per new message,
  // and each row re-renders only when its own message changes.
  const ids = useSessionSelector(client, (s) => s.transcript.messageIds);
  const latestAnswer = useSessionSelector(client, (s) => latestAnswerId(s.transcript));
  const replayed = useSessionSelector(client, (s) => s.serverLastSeq !== null);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  const [away, setAway] = useState(false);

  // Stay at the bottom while text streams, unless the reader scrolled up. Scroll events are
  // async: content may grow between our own scroll and its event, so only a move *up* from
  // where we put it (or to the bottom) changes whether we follow.
  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    let placedAt = el.scrollTop;
    const onScroll = () => {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < PIN_THRESHOLD_PX;
      if (atBottom) {
        pinned.current = true;
        placedAt = el.scrollTop;
      } else if (el.scrollTop < placedAt - 2) pinned.current = false;
      setAway(!pinned.current);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const stick = () => {
      if (!pinned.current) return;
      el.scrollTop = el.scrollHeight;
      placedAt = el.scrollTop;
    };
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(stick);
    ro?.observe(inner);
    ro?.observe(el);
    stick();
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro?.disconnect();
    };
  }, []);

  function jumpToLatest() {
    const el = scroller.current;
    if (!el) return;
    pinned.current = true;
    setAway(false);
    el.scrollTop = el.scrollHeight;
  }

  return (
    <>
      <div className="scroller" ref={scroller} tabIndex={0} aria-label="Conversation with your coach">
        <ol className="messages" ref={content}>
          {ids.length === 0 &&
            (replayed ? (
              <li className="empty">{kind === 'chat' ? <p className="muted">Write to your coach to begin.</p> : <FirstRunIntro kind={kind} />}</li>
            ) : (
              // Until the replay is done an empty list means "not loaded yet", not "nothing said".
              <li className="muted empty" role="status">
                Loading the conversation…
              </li>
            ))}
          {ids.map((id) => (
            <MessageRow key={id} client={client} id={id} isLatestAnswer={id === latestAnswer} meId={meId} />
          ))}
        </ol>
      </div>
      {away && (
        <button type="button" className="jump-latest small-button" onClick={jumpToLatest}>
          <span aria-hidden="true">↓</span> Jump to latest
        </button>
      )}
    </>
  );
}

const MessageRow = memo(function MessageRow({ client, id, isLatestAnswer, meId }: { client: SessionClient; id: string; isLatestAnswer: boolean; meId: string | null }) {
  const m = useMessage(client, id);
  if (!m) return null;
  return m.kind === 'user' ? <UserBubble client={client} m={m} meId={meId} /> : <AssistantBubble client={client} m={m} isLatestAnswer={isLatestAnswer} />;
});

/** "You", or the author's name with their role when someone else wrote it (shared sessions). */
export function authorLabel(m: UserMessage, meId: string | null): string | null {
  if (!m.author || m.author.userId === meId) return null;
  return m.author.role === 'partner' ? `${m.author.displayName} (partner)` : m.author.displayName;
}

function UserBubble({ client, m, meId }: { client: SessionClient; m: UserMessage; meId: string | null }) {
  const live = useSessionSelector(client, (s) => s.connection.status === 'live');
  const by = authorLabel(m, meId);
  return (
    <li className={`msg user ${m.status}${by ? ' other' : ''}`}>
      {by ? (
        <span className="author small" data-testid="author">
          {by}
        </span>
      ) : (
        <span className="sr-only">You: </span>
      )}
      <p>{m.text}</p>
      <div className="meta-row">
        {m.status === 'pending' ? (
          <span className="meta">{live ? 'Sending…' : 'Will send when you’re back online'}</span>
        ) : (
          <time className="meta" dateTime={m.at ?? undefined} title={messageDateTime(m.at)}>
            {messageTime(m.at)}
          </time>
        )}
      </div>
    </li>
  );
}

function AssistantBubble({ client, m, isLatestAnswer }: { client: SessionClient; m: AssistantMessage; isLatestAnswer: boolean }) {
  const you = useSessionSelector(client, (s) => (typeof s.presence?.you === 'string' ? s.presence.you : null));
  const live = useSessionSelector(client, (s) => s.connection.status === 'live');
  const pending = useSessionSelector(client, (s) => (s.transcript.pendingRequest?.targetId === m.id ? s.transcript.pendingRequest.mode : null));
  const [asked, setAsked] = useState(false);
  useEffect(() => {
    if (!asked) return;
    const t = setTimeout(() => setAsked(false), REQUEST_SETTLE_MS);
    return () => clearTimeout(t);
  }, [asked]);
  // A new part (retry replaced it, continue resumed it) settles the request.
  useEffect(() => setAsked(false), [m.status, m.serverId]);

  const streaming = m.status === 'streaming';
  const stoppedHere = localCancels(client).has(m.id);
  const outcome = describeEnd(m, stoppedHere, you);
  const actions = answerActions(m, isLatestAnswer);
  const showActions = (actions.retry || actions.continue) && !asked && pending === null;
  return (
    <li className={`msg assistant ${m.status}`} aria-busy={streaming}>
      <span className="sr-only">Coach: </span>
      <p className={streaming ? 'caret' : undefined}>{m.text}</p>
      {streaming && m.cancelRequested && <span className="meta">{stoppedHere || (m.stoppedBy && m.stoppedBy.deviceId === you) ? 'Stopping…' : `Stopping (from ${m.stoppedBy?.label || 'another device'})…`}</span>}
      {outcome && <span className={`meta${m.status === 'failed' ? ' error' : ''}`}>{outcome}</span>}
      {isLatestAnswer && m.status === 'complete' && m.quickReplies && <QuickReplies client={client} replies={m.quickReplies} />}
      {(pending !== null || asked) && !streaming && (
        <span className="meta" role="status">
          {pending === 'continue' ? 'Continuing…' : 'Trying again…'}
        </span>
      )}
      <div className="meta-row">
        {!streaming && (
          <time className="meta" dateTime={m.endedAt ?? m.startedAt} title={messageDateTime(m.endedAt ?? m.startedAt)}>
            {messageTime(m.endedAt ?? m.startedAt)}
          </time>
        )}
        {!streaming && m.text && <CopyButton text={m.text} what="the coach’s answer" />}
        {showActions && actions.retry && (
          <button
            type="button"
            // After a complete answer Retry is a quiet extra, like Copy; after a stopped one it is a real choice.
            className={actions.continue ? 'secondary small-button' : 'link-button copy-button'}
            disabled={!live}
            title={live ? 'Answer the same message again' : 'Available when you’re back online'}
            onClick={() => setAsked(retryAnswer(client, m.id))}
          >
            Retry
          </button>
        )}
        {showActions && actions.continue && (
          <button
            type="button"
            className="secondary small-button"
            disabled={!live}
            title={live ? 'Go on from where the answer stopped' : 'Available when you’re back online'}
            onClick={() => setAsked(continueAnswer(client, m.id))}
          >
            Continue
          </button>
        )}
      </div>
    </li>
  );
}

/** What happened to an answer that did not complete, in words (status + reason). */
export function describeEnd(m: AssistantMessage, stoppedHere: boolean, you: string | null = null): string | null {
  const reason = m.reason ? `: ${m.reason}` : '';
  switch (m.status) {
    case 'cancelled': {
      if (!m.cancelRequested) return `Stopped${reason}`;
      const byUs = m.stoppedBy ? m.stoppedBy.deviceId === you || (you === null && stoppedHere) : stoppedHere;
      return (byUs ? 'Stopped' : `Stopped from ${m.stoppedBy?.label || 'another device'}`) + reason;
    }
    case 'interrupted':
      return m.reason ? `Interrupted${reason}` : 'Interrupted by a new message';
    case 'failed':
      return `Failed${m.reason ? reason : ': the coach could not answer'}`;
    default:
      return null;
  }
}
