// Adding or editing a block: title, kind, rock, day and times. A dialog on a desktop and a
// sheet from the bottom on a phone (styles). Esc or Cancel closes it without a change.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { MAX_PLAN_TITLE_CHARS } from '../../../../server/contract/limits.ts';
import type { BlockKind, Rock } from '../../../../server/plan/types.ts';
import { WEEKDAYS } from '../plan-format.ts';
import { hhmm, MINUTES_PER_DAY } from './geometry.ts';

export interface BlockDraft {
  /** null: a new block. */
  id: string | null;
  title: string;
  kind: BlockKind;
  rockId: string | null;
  day: number;
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

const toMinutes = (v: string) => (/^\d{2}:\d{2}$/.test(v) ? Number(v.slice(0, 2)) * 60 + Number(v.slice(3)) : NaN);

export function BlockDialog({
  draft,
  rocks,
  onSave,
  onDelete,
  onClose,
}: {
  draft: BlockDraft;
  rocks: Rock[];
  onSave(d: BlockDraft): void;
  onDelete?: () => void;
  onClose(): void;
}) {
  const id = useId();
  const [title, setTitle] = useState(draft.title);
  const [kind, setKind] = useState<BlockKind>(draft.kind);
  const [rockId, setRockId] = useState(draft.rockId ?? '');
  const [day, setDay] = useState(draft.day);
  const [start, setStart] = useState(hhmm(draft.start));
  const [end, setEnd] = useState(draft.end >= MINUTES_PER_DAY ? '23:59' : hhmm(draft.end));
  const [problem, setProblem] = useState<string | null>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const opener = useRef<Element | null>(typeof document === 'undefined' ? null : document.activeElement);

  useEffect(() => {
    titleRef.current?.focus();
    const back = opener.current;
    return () => {
      if (back instanceof HTMLElement && back.isConnected) back.focus();
    };
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const s = toMinutes(start);
    const rawEnd = toMinutes(end);
    const en = rawEnd === 23 * 60 + 59 ? MINUTES_PER_DAY : rawEnd;
    const rock = rocks.find((r) => r.id === rockId);
    const name = title.trim() || rock?.title || '';
    if (!name) return setProblem('Give the block a title.');
    if (!Number.isFinite(s) || !Number.isFinite(en)) return setProblem('Use times like 09:00.');
    if (en <= s) return setProblem('The end must be after the start.');
    onSave({ id: draft.id, title: name, kind, rockId: rockId || null, day, start: s, end: en });
  }

  return (
    <div className="wk-dialog-backdrop" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-h`}
        className="wk-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <form onSubmit={submit}>
          <h3 id={`${id}-h`}>{draft.id ? 'Edit block' : 'New block'}</h3>
          <label>
            Title
            <input ref={titleRef} value={title} maxLength={MAX_PLAN_TITLE_CHARS} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Launch brief" />
          </label>
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.target.value as BlockKind)}>
              <option value="deep_work">Deep work (45 min or more)</option>
              <option value="recovery">Recovery</option>
              <option value="other">Other</option>
            </select>
          </label>
          <label>
            Rock
            <select value={rockId} onChange={(e) => setRockId(e.target.value)}>
              <option value="">No rock</option>
              {rocks
                .filter((r) => r.status !== 'dropped' && r.status !== 'carried')
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.title}
                  </option>
                ))}
            </select>
          </label>
          <div className="wk-dialog-row">
            <label>
              Day
              <select value={day} onChange={(e) => setDay(Number(e.target.value))}>
                {WEEKDAYS.map((d, i) => (
                  <option key={d} value={i}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Start
              <input type="time" step={900} value={start} onChange={(e) => setStart(e.target.value)} />
            </label>
            <label>
              End
              <input type="time" step={900} value={end} onChange={(e) => setEnd(e.target.value)} />
            </label>
          </div>
          {problem && (
            <p role="alert" className="error small">
              {problem}
            </p>
          )}
          <div className="wk-dialog-actions">
            {onDelete && (
              <button type="button" className="danger" onClick={onDelete}>
                Delete
              </button>
            )}
            <span className="spacer" />
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit">{draft.id ? 'Save' : 'Add block'}</button>
          </div>
        </form>
      </div>
    </div>
  );
}
