// The editable parts of a week besides the grid: big rocks, the vision, environment changes
// and the weekly review slot.

import { useEffect, useState, type FormEvent } from 'react';
import { MAX_ACTIVE_ROCKS, MAX_PLAN_TITLE_CHARS, MAX_VISION_PART_CHARS } from '../../../../server/contract/limits.ts';
import type { Rock, RockStatus, WeekPlan } from '../../../../server/plan/types.ts';
import { WEEKDAYS } from '../plan-format.ts';
import { addEnvironment, addRock, changeRock, deleteRock, removeEnvironment, setReview, setVision } from './edits.ts';
import { hhmm, instantAt, localSlot } from './geometry.ts';
import type { PlanEditor } from './use-plan-editor.ts';

const STATUS_LABEL: Record<RockStatus, string> = { planned: 'Planned', done: 'Done', dropped: 'Dropped', carried: 'Carried over' };

export function RocksEditor({ editor }: { editor: PlanEditor }) {
  const plan = editor.plan;
  const rocks = [...plan.rocks].sort((a, b) => a.position - b.position);
  const scheduled = new Set(plan.blocks.map((b) => b.rockId).filter(Boolean));
  const active = rocks.filter((r) => r.status === 'planned' || r.status === 'done').length;
  const [title, setTitle] = useState('');

  function add(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) return;
    editor.run(addRock(title.trim()));
    setTitle('');
  }

  return (
    <div className="rocks-editor">
      {rocks.length === 0 && <p className="muted small">No rocks yet: the three to five things that make this week a success.</p>}
      <ol className="rocks" data-testid="rocks">
        {rocks.map((r, i) => (
          <RockRow key={r.id} rock={r} index={i} count={rocks.length} scheduled={scheduled.has(r.id)} editor={editor} />
        ))}
      </ol>
      {active < MAX_ACTIVE_ROCKS && (
        <form className="inline-add" onSubmit={add}>
          <label className="sr-only" htmlFor={`new-rock-${plan.weekKey}`}>
            New rock
          </label>
          <input id={`new-rock-${plan.weekKey}`} value={title} maxLength={MAX_PLAN_TITLE_CHARS} onChange={(e) => setTitle(e.target.value)} placeholder="Add a big rock…" />
          <button type="submit" className="secondary small-button" disabled={!title.trim()}>
            Add
          </button>
        </form>
      )}
    </div>
  );
}

function RockRow({ rock, index, count, scheduled, editor }: { rock: Rock; index: number; count: number; scheduled: boolean; editor: PlanEditor }) {
  const [title, setTitle] = useState(rock.title);
  useEffect(() => setTitle(rock.title), [rock.title]);
  const pending = rock.id === 'pending';
  const locked = pending || rock.status === 'carried';
  const commit = () => {
    const t = title.trim();
    if (t && t !== rock.title) editor.run(changeRock(rock, { title: t }, 'Renamed'));
    else setTitle(rock.title);
  };
  const state =
    rock.status === 'planned' ? (scheduled ? 'Scheduled' : 'not scheduled') : STATUS_LABEL[rock.status] + (rock.carryCount > 0 ? ` · carried ${rock.carryCount}×` : '');
  return (
    <li className={`rock ${rock.status}`}>
      <input
        className="rock-title-input"
        aria-label={`Rock ${index + 1} title`}
        value={title}
        maxLength={MAX_PLAN_TITLE_CHARS}
        disabled={locked}
        onChange={(e) => setTitle(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          if (e.key === 'Escape') setTitle(rock.title);
        }}
      />
      <span className={`chip ${rock.status}${rock.status === 'planned' && !scheduled ? ' unscheduled' : ''}`}>{state}</span>
      <span className="rock-actions">
        <button type="button" className="icon" aria-label={`Move “${rock.title}” up`} disabled={locked || index === 0} onClick={() => editor.run(changeRock(rock, { position: index - 1 }, 'Moved'))}>
          ↑
        </button>
        <button type="button" className="icon" aria-label={`Move “${rock.title}” down`} disabled={locked || index === count - 1} onClick={() => editor.run(changeRock(rock, { position: index + 1 }, 'Moved'))}>
          ↓
        </button>
        <select
          aria-label={`Status of “${rock.title}”`}
          value={rock.status}
          disabled={locked}
          onChange={(e) => editor.run(changeRock(rock, { status: e.target.value as RockStatus }, e.target.value === 'done' ? 'Marked done' : e.target.value === 'dropped' ? 'Dropped' : 'Reopened'))}
        >
          <option value="planned">Planned</option>
          <option value="done">Done</option>
          <option value="dropped">Dropped</option>
          {rock.status === 'carried' && <option value="carried">Carried over</option>}
        </select>
        <button type="button" className="icon" aria-label={`Delete “${rock.title}”`} disabled={pending} onClick={() => editor.run(deleteRock(rock))}>
          ✕
        </button>
      </span>
    </li>
  );
}

export function VisionEditor({ editor }: { editor: PlanEditor }) {
  const current = editor.plan.vision;
  const [draft, setDraft] = useState({ work: current?.work ?? '', self: current?.self ?? '', relationships: current?.relationships ?? '' });
  useEffect(() => setDraft({ work: current?.work ?? '', self: current?.self ?? '', relationships: current?.relationships ?? '' }), [current?.work, current?.self, current?.relationships]);
  const dirty = draft.work !== (current?.work ?? '') || draft.self !== (current?.self ?? '') || draft.relationships !== (current?.relationships ?? '');
  return (
    <form
      className="vision-editor"
      onSubmit={(e) => {
        e.preventDefault();
        editor.run(setVision(draft, current));
      }}
    >
      <p className="muted small">In twelve months, what will you celebrate?</p>
      {(['work', 'self', 'relationships'] as const).map((part) => (
        <label key={part}>
          {part === 'work' ? 'Work' : part === 'self' ? 'Self' : 'Relationships'}
          <textarea rows={2} maxLength={MAX_VISION_PART_CHARS} value={draft[part]} onChange={(e) => setDraft({ ...draft, [part]: e.target.value })} />
        </label>
      ))}
      <button type="submit" className="secondary small-button" disabled={!dirty}>
        Save vision
      </button>
    </form>
  );
}

export function EnvironmentEditor({ editor }: { editor: PlanEditor }) {
  const [text, setText] = useState('');
  const items = editor.plan.environment;
  return (
    <div>
      {items.length === 0 && <p className="muted small">What will you change around you to protect focus? (up to three)</p>}
      <ul className="environment">
        {items.map((e) => (
          <li key={e.id}>
            <span>{e.text}</span>
            <button type="button" className="icon" aria-label={`Remove “${e.text}”`} disabled={e.id === 'pending'} onClick={() => editor.run(removeEnvironment(e))}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      {items.length < 3 && (
        <form
          className="inline-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) return;
            editor.run(addEnvironment(text.trim()));
            setText('');
          }}
        >
          <label className="sr-only" htmlFor={`new-env-${editor.plan.weekKey}`}>
            New environment change
          </label>
          <input id={`new-env-${editor.plan.weekKey}`} value={text} maxLength={MAX_PLAN_TITLE_CHARS} onChange={(e) => setText(e.target.value)} placeholder="e.g. Phone in another room until noon" />
          <button type="submit" className="secondary small-button" disabled={!text.trim()}>
            Add
          </button>
        </form>
      )}
    </div>
  );
}

export function ReviewEditor({ editor, slot }: { editor: PlanEditor; slot: { start: string; end: string } | null }) {
  const plan: WeekPlan = editor.plan;
  const local = slot ? localSlot(plan, slot) : null;
  const [day, setDay] = useState(local?.day ?? 4);
  const [start, setStart] = useState(local ? hhmm(local.start) : '16:00');
  const [end, setEnd] = useState(local ? hhmm(local.end) : '16:30');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!local) return;
    setDay(local.day);
    setStart(hhmm(local.start));
    setEnd(hhmm(local.end));
  }, [local?.day, local?.start, local?.end]);
  const toMin = (v: string) => (/^\d{2}:\d{2}$/.test(v) ? Number(v.slice(0, 2)) * 60 + Number(v.slice(3, 5)) : NaN);
  return (
    <form
      className="review-editor"
      onSubmit={(e) => {
        e.preventDefault();
        // A cleared time field is empty: say so rather than send nothing (or throw on an invalid date).
        const [s, en] = [toMin(start), toMin(end)];
        if (!Number.isFinite(s) || !Number.isFinite(en)) return setProblem('Use times like 16:00.');
        if (en <= s) return setProblem('The review must end after it starts.');
        setProblem(null);
        editor.run(setReview({ start: instantAt(plan, day, s), end: instantAt(plan, day, en) }, plan.review));
      }}
    >
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
        From
        <input type="time" step={900} value={start} onChange={(e) => setStart(e.target.value)} />
      </label>
      <label>
        To
        <input type="time" step={900} value={end} onChange={(e) => setEnd(e.target.value)} />
      </label>
      <button type="submit" className="secondary small-button">
        Save review time
      </button>
      {problem && (
        <p role="alert" className="error small">
          {problem}
        </p>
      )}
    </form>
  );
}
