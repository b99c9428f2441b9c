import { useEffect, useRef, useState } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';

/** Longer replies are cut for the announcement; the full text is in the conversation. */
export const MAX_ANNOUNCED_CHARS = 600;

/**
 * A polite live region that reads out each coach reply once it has finished — not every
 * streamed word, and not replies replayed on load.
 */
export function ReplyAnnouncer({ client }: { client: SessionClient }) {
  const [text, setText] = useState('');
  const announced = useRef(new Set<string>());
  useEffect(() => {
    let live = client.getSnapshot().serverLastSeq !== null;
    const seen = announced.current;
    // Everything ended before we went live is history, not news.
    const markAll = () => {
      for (const m of client.getSnapshot().transcript.messages) if (m.kind === 'assistant' && m.status !== 'streaming') seen.add(`${m.id}:${m.endSeq}`);
    };
    markAll();
    return client.subscribe(() => {
      const s = client.getSnapshot();
      if (!live) {
        if (s.serverLastSeq !== null) {
          live = true;
          markAll();
        }
        return;
      }
      for (const m of s.transcript.messages) {
        if (m.kind !== 'assistant' || m.status === 'streaming') continue;
        const key = `${m.id}:${m.endSeq}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (m.status === 'complete' && m.text.trim()) {
          const body = m.text.length > MAX_ANNOUNCED_CHARS ? `${m.text.slice(0, MAX_ANNOUNCED_CHARS)}…` : m.text;
          setText(`Coach: ${body}`);
        }
      }
    });
  }, [client]);
  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="reply-announcer">
      {text}
    </div>
  );
}
