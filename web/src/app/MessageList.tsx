import { memo, useEffect, useRef } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import type { AssistantMessage, TranscriptMessage, UserMessage } from '../session-client/transcript.ts';
import { useMessage, useSessionSelector } from '../session-client/use-session.ts';
import { CONTINUE_TEXT, localCancels, userTextBefore } from './chat-actions.ts';

const PIN_THRESHOLD_PX = 48;

export function MessageList({ client, meId = null }: { client: SessionClient; meId?: string | null }) {
  // messageIds keeps its identity while text streams: this list renders once per new message,
  // and each row re-renders only when its own message changes.
  const ids = useSessionSelector(client, (s) => s.transcript.messageIds);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

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

  const lastId = ids.length > 0 ? ids[ids.length - 1] : null;
  return (
    <div className="scroller" ref={scroller} tabIndex={0} aria-label="Conversation with your coach">
      <ol className="messages" ref={content}>
        {ids.length === 0 && <li className="muted empty">Say hello to your coach to begin.</li>}
        {ids.map((id) => (
          <MessageRow key={id} client={client} id={id} isLast={id === lastId} meId={meId} />
        ))}
      </ol>
    </div>
  );
}

const MessageRow = memo(function MessageRow({ client, id, isLast, meId }: { client: SessionClient; id: string; isLast: boolean; meId: string | null }) {
  const m = useMessage(client, id);
  if (!m) return null;
  return <MessageBubble client={client} m={m} isLast={isLast} meId={meId} />;
});

/** "You", or the author's name with their role when someone else wrote it (shared sessions). */
export function authorLabel(m: UserMessage, meId: string | null): string | null {
  if (!m.author || m.author.userId === meId) return null;
  return m.author.role === 'partner' ? `${m.author.displayName} (partner)` : m.author.displayName;
}

function MessageBubble({ client, m, isLast, meId }: { client: SessionClient; m: TranscriptMessage; isLast: boolean; meId: string | null }) {
  if (m.kind === 'user') {
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
        {m.status === 'pending' && <span className="meta">Sending…</span>}
      </li>
    );
  }
  const streaming = m.status === 'streaming';
  const stoppedHere = localCancels(client).has(m.id);
  const outcome = describeEnd(m, stoppedHere);
  // Retry / Continue belong to the conversation's last word only: an answer that did not finish.
  const offerActions = isLast && !streaming && m.status !== 'complete';
  return (
    <li className={`msg assistant ${m.status}`} aria-busy={streaming}>
      <span className="sr-only">Coach: </span>
      <p className={streaming ? 'caret' : undefined}>{m.text}</p>
      {streaming && m.cancelRequested && <span className="meta">{stoppedHere ? 'Stopping…' : 'Stopping (from another device)…'}</span>}
      {outcome && <span className={`meta${m.status === 'failed' ? ' error' : ''}`}>{outcome}</span>}
      {offerActions && (
        <div className="row msg-actions">
          <button
            type="button"
            className="secondary small-button"
            onClick={() => {
              const text = userTextBefore(client, m.id);
              if (text) client.send(text);
            }}
          >
            Retry
          </button>
          <button type="button" className="secondary small-button" onClick={() => client.send(CONTINUE_TEXT)}>
            Continue
          </button>
        </div>
      )}
    </li>
  );
}

/** What happened to an answer that did not complete, in words (status + reason). */
export function describeEnd(m: AssistantMessage, stoppedHere: boolean): string | null {
  const reason = m.reason ? `: ${m.reason}` : '';
  switch (m.status) {
    case 'cancelled':
      return (m.cancelRequested && !stoppedHere ? 'Stopped from another device' : 'Stopped') + reason;
    case 'interrupted':
      return m.reason ? `Interrupted${reason}` : 'Interrupted by a new message';
    case 'failed':
      return `Failed${m.reason ? reason : ': the coach could not answer'}`;
    default:
      return null;
  }
}
