import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';
import { stopAnswer } from './chat-actions.ts';
import { enterSends, prefersTouchInput } from './input-mode.ts';

/** One message box per page; the skip link jumps here. */
export const MESSAGE_BOX_ID = 'message-box';

/** How long "you interrupted the answer" stays in the hint line. */
const INTERRUPT_NOTICE_MS = 6_000;

export function Composer({ client, disabled, autoFocus = false }: { client: SessionClient; disabled: boolean; autoFocus?: boolean }) {
  const [text, setText] = useState('');
  const [interrupted, setInterrupted] = useState(false);
  const [touch] = useState(() => prefersTouchInput());
  const inputId = MESSAGE_BOX_ID;
  const hintId = useId();
  const input = useRef<HTMLTextAreaElement>(null);
  const live = useSessionSelector(client, (s) => s.connection.status === 'live');
  const offline = useSessionSelector(client, (s) => s.connection.status === 'offline' || s.connection.status === 'reconnecting');
  // While not live the transcript may show an answer that has ended meanwhile: nothing to interrupt or stop.
  const streaming = useSessionSelector(client, (s) => s.transcript.activeMessageId !== null) && live;
  const noticeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // Arriving in a conversation puts the cursor in the message box (not on touch screens,
  // where focusing pops the keyboard over the coach's first words).
  useEffect(() => {
    if (autoFocus && !touch) input.current?.focus({ preventScroll: true });
  }, [autoFocus, touch]);

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
    const snap = client.getSnapshot();
    const interrupting = snap.connection.status === 'live' && snap.transcript.activeMessageId !== null;
    if (client.send(text) === null) return;
    setText('');
    if (interrupting) {
      setInterrupted(true);
      clearTimeout(noticeTimer.current);
      noticeTimer.current = setTimeout(() => setInterrupted(false), INTERRUPT_NOTICE_MS);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (enterSends({ key: e.key, shiftKey: e.shiftKey, isComposing: e.nativeEvent.isComposing }, touch)) {
      e.preventDefault();
      submit();
    }
  }

  const hint = composerHint({ interrupted, streaming, offline, touch });

  return (
    <form className="composer" onSubmit={submit}>
      <div className="composer-row">
        <label htmlFor={inputId} className="sr-only">
          Message
        </label>
        <textarea
          ref={input}
          id={inputId}
          enterKeyHint={touch ? 'enter' : 'send'}
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

/** The line under the message box: what Enter and Send do now. */
export function composerHint(s: { interrupted: boolean; streaming: boolean; offline: boolean; touch: boolean }): string {
  if (s.interrupted) return 'You interrupted the coach’s answer to send your message.';
  if (s.offline) return 'You’re offline — messages will send when you’re back.';
  if (s.streaming) return s.touch ? 'The coach is answering: sending now interrupts it.' : 'The coach is answering: sending now interrupts it. Esc stops it.';
  return s.touch ? 'Send sends · Enter adds a line' : 'Enter sends · Shift+Enter adds a line';
}
