import { memo, useEffect, useRef } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import type { AssistantMessage, TranscriptMessage } from '../session-client/transcript.ts';
import { useMessage, useSessionSelector } from '../session-client/use-session.ts';
import { CONTINUE_TEXT, localCancels, userTextBefore } from './chat-actions.ts';
import { QuickReplies } from './QuickReplies.tsx';

const PIN_THRESHOLD_PX = 48;

export function MessageList({ client }: { client: SessionClient }) {
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
          <MessageRow key={id} client={client} id={id} isLast={id === lastId} />
        ))}
      </ol>
    </div>
  );
}

const MessageRow = memo(function MessageRow({ client, id, isLast }: { client: SessionClient; id: string; isLast: boolean }) {
  const m = useMessage(client, id);
  if (!m) return null;
  return <MessageBubble client={client} m={m} isLast={isLast} />;
});

function MessageBubble({ client, m, isLast }: { client: SessionClient; m: TranscriptMessage; isLast: boolean }) {
  if (m.kind === 'user') {
    return (
      <li className={`msg user ${m.status}`}>
        <span className="sr-only">You: </span>
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
      {isLast && m.status === 'complete' && m.quickReplies && <QuickReplies client={client} replies={m.quickReplies} />}
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
