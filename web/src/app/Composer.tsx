import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';

export function Composer({ client, disabled }: { client: SessionClient; disabled: boolean }) {
  const [text, setText] = useState('');
  const inputId = useId();
  const streaming = useSessionSelector(client, (s) => s.transcript.activeMessageId !== null);

  // Esc stops the answer from anywhere on the page.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && client.getSnapshot().transcript.activeMessageId !== null) {
        e.preventDefault();
        client.cancel();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [client]);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (client.send(text) !== null) setText('');
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={inputId} className="sr-only">
        Message
      </label>
      <textarea
        id={inputId}
        rows={2}
        placeholder="Message your coach"
        value={text}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer-buttons">
        <button type="submit" disabled={disabled || text.trim() === ''}>
          Send
        </button>
        {/* Always rendered so the layout does not move when a stream starts or ends. */}
        <button type="button" className="secondary" disabled={!streaming} onClick={() => client.cancel()} aria-keyshortcuts="Escape">
          Stop
        </button>
      </div>
    </form>
  );
}
