import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { MAX_TITLE_CHARS } from '../../../server/contract/limits.ts';
import { ApiError, type Api, type SessionSummary } from './api.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { chatHref } from './route.ts';
import { KIND_LABEL, STATUS_LABEL } from './session-list.ts';

/** One conversation in the list: title, last line, status; rename in place, delete after asking. */
export function SessionItem({
  api,
  session: s,
  when,
  onChanged,
  onDeleted,
}: {
  api: Api;
  session: SessionSummary;
  /** "Started Mon 23 Nov, 09:00" or similar. */
  when: string;
  onChanged: (s: SessionSummary) => void;
  onDeleted: (id: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const title = s.title || KIND_LABEL[s.kind] || 'Session';

  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  async function rename(e: FormEvent) {
    e.preventDefault();
    const next = draft.trim();
    if (!next || next === s.title) return setEditing(false);
    setBusy(true);
    try {
      onChanged({ ...s, ...(await api.renameSession(s.id, next)) });
      setEditing(false);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not rename it.');
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setConfirming(false);
    setBusy(true);
    try {
      await api.deleteSession(s.id);
      onDeleted(s.id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not delete it.');
      setBusy(false);
    }
  }

  return (
    <li className="session-item" data-testid="session-item">
      {editing ? (
        <form className="rename row nowrap" onSubmit={(e) => void rename(e)}>
          <label htmlFor={inputId} className="sr-only">
            New name for {title}
          </label>
          <input
            id={inputId}
            ref={input}
            value={draft}
            maxLength={MAX_TITLE_CHARS}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && (e.preventDefault(), setEditing(false))}
          />
          <button type="submit" className="small-button" disabled={busy}>
            Save
          </button>
          <button type="button" className="secondary small-button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <a href={chatHref(s.id)} className="session-link">
          <span className="session-head">
            <span className="title">{title}</span>
            {s.shared && <span className="badge">Shared with you</span>}
            {s.status && <span className={`chip status-${s.status}`}>{STATUS_LABEL[s.status]}</span>}
          </span>
          {s.preview && (
            <span className="preview small">
              <span className="muted">{s.preview.role === 'user' ? 'You: ' : 'Coach: '}</span>
              {s.preview.text}
            </span>
          )}
          <span className="muted small">
            {s.title && s.title !== KIND_LABEL[s.kind] ? `${KIND_LABEL[s.kind] ?? s.kind} · ` : ''}
            {when}
          </span>
        </a>
      )}
      {!editing && !s.shared && (
        <div className="session-tools">
          <button
            type="button"
            className="secondary small-button"
            aria-label={`Rename ${title}`}
            onClick={() => {
              setDraft(s.title || title);
              setEditing(true);
            }}
          >
            Rename
          </button>
          <button type="button" className="secondary small-button" aria-label={`Delete ${title}`} disabled={busy} onClick={() => setConfirming(true)}>
            Delete
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      <ConfirmDialog open={confirming} title={`Delete “${title}”?`} confirmLabel="Delete" danger onConfirm={() => void remove()} onCancel={() => setConfirming(false)}>
        <p className="small">The conversation and its messages are deleted for good. Your plan stays as it is.</p>
      </ConfirmDialog>
    </li>
  );
}
