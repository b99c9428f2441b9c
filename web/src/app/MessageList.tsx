import { memo, useEffect, useRef } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import type { TranscriptMessage } from '../session-client/transcript.ts';
import { useMessage, useSessionSelector } from '../session-client/use-session.ts';

const PIN_THRESHOLD_PX = 48;

export function MessageList({ client }: { client: SessionClient }) {
  // messageIds keeps its identity while text streams: this list renders once per new message.
  const ids = useSessionSelector(client, (s) => s.transcript.messageIds);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  // Stay at the bottom while text streams, unless the reader scrolled up.
  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < PIN_THRESHOLD_PX;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const stick = () => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    };
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(stick);
    ro?.observe(inner);
    stick();
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro?.disconnect();
    };
  }, []);

  return (
    <div className="scroller" ref={scroller}>
      <ol className="messages" ref={content} aria-label="Conversation">
        {ids.length === 0 && <li className="muted empty">Say hello to your coach to begin.</li>}
        {ids.map((id) => (
          <MessageRow key={id} client={client} id={id} />
        ))}
      </ol>
    </div>
  );
}

const MessageRow = memo(function MessageRow({ client, id }: { client: SessionClient; id: string }) {
  const m = useMessage(client, id);
  if (!m) return null;
  return <MessageBubble m={m} />;
});

function MessageBubble({ m }: { m: TranscriptMessage }) {
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
  return (
    <li className={`msg assistant ${m.status}`} aria-busy={streaming}>
      <span className="sr-only">Coach: </span>
      <p className={streaming ? 'caret' : undefined}>{m.text}</p>
      {m.status === 'cancelled' && <span className="meta">Stopped</span>}
      {m.status === 'interrupted' && <span className="meta">Interrupted</span>}
      {m.status === 'failed' && <span className="meta error">Failed{m.reason ? `: ${m.reason}` : ''}</span>}
      {streaming && m.cancelRequested && <span className="meta">Stopping…</span>}
    </li>
  );
}
