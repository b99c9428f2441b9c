// Suggested replies under the coach's latest message ("Skip", "Yes", free slots). Pressing one
// sends its text as the person's own message, from whichever device pressed it.

import type { SessionClient } from '../session-client/session-client.ts';

export function QuickReplies({ client, replies }: { client: SessionClient; replies: readonly string[] }) {
  if (replies.length === 0) return null;
  return (
    <div className="row quick-replies" role="group" aria-label="Suggested replies">
      {replies.map((text) => (
        <button key={text} type="button" className="secondary small-button" onClick={() => client.send(text)}>
          {text}
        </button>
      ))}
    </div>
  );
}
