import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';
import { stopAnswer } from './chat-actions.ts';

/** How long "you interrupted the answer" stays in the hint line. */
const INTERRUPT_NOTICE_MS = 6_000;

export function Composer({ client, disabled }: { client: SessionClient; disabled: boolean }) {
  const [text, setText] = useState('');
  const [interrupted, setInterrupted] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const streaming = useSessionSelector(client, (s) => s.transcript.activeMessageId !== null);
  const noticeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // Esc stops the answer from anywhere on the page — except inside a dialog, where Esc closes the dialog.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return;
      if (stopAnswer(client)) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [client]);

  useEffect(() => () => clearTimeout(noticeTimer.current), []);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const interrupting = client.getSnapshot().transcript.activeMessageId !== null;
    if (client.send(text) === null) return;
    setText('');
    if (interrupting) {
      setInterrupted(true);
      clearTimeout(noticeTimer.current);
      noticeTimer.current = setTimeout(() => setInterrupted(false), INTERRUPT_NOTICE_MS);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  const hint = interrupted
    ? 'You interrupted the coach’s answer to send your message.'
    : streaming
      ? 'The coach is answering: sending now interrupts it. Esc stops it.'
      : 'Enter sends · Shift+Enter adds a line';

  return (
    <form className="composer" onSubmit={submit}>
      <div className="composer-row">
        <label htmlFor={inputId} className="sr-only">
          Message
        </label>
        <textarea
          id={inputId}
          rows={2}
          placeholder="Message your coach"
          value={text}
          disabled={disabled}
          aria-describedby={hintId}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="composer-buttons">
          <button type="submit" disabled={disabled || text.trim() === ''}>
            Send
          </button>
          {/* Always rendered so the layout does not move when a stream starts or ends. */}
          <button type="button" className="secondary" disabled={!streaming} onClick={() => stopAnswer(client)} aria-keyshortcuts="Escape">
            Stop
          </button>
        </div>
      </div>
      <p id={hintId} className={`composer-hint${interrupted ? ' notice' : ''}`}>
        {hint}
      </p>
    </form>
  );
}
