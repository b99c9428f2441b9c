// The editable week grid: Monday–Sunday columns in the plan's time zone, 24 hours scrolled
// to working hours. Blocks are dragged to move, their bottom edge dragged to resize (15-minute
// snaps), an empty slot is clicked to add one; a focused block moves with the arrows, resizes
// with Shift+arrows, opens with Enter and goes with Delete. On a phone an agenda list sits
// beside the grid and tapping a block opens the edit sheet.
//
// A small component of our own rather than FullCalendar's time grid: see web/README.md.

import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { TimeBlock, WeekPlan } from '../../../../server/plan/types.ts';
import { localToInstant } from './zoned-time.ts';
import { BLOCK_KIND_LABEL, WEEKDAYS, weekDates } from '../plan-format.ts';
import { BlockDialog, type BlockDraft } from './BlockDialog.tsx';
import { addBlock, changeBlock, deleteBlock } from './edits.ts';
import { hhmm, instantAt, localSlot, MINUTES_PER_DAY, movedBlock, resizedBlock, slotLabel, snap, SNAP_MINUTES, type LocalSlot } from './geometry.ts';
import type { PlanEditor } from './use-plan-editor.ts';

/** Pixels per hour; labels and lines every hour. */
export const HOUR_PX = 44;
const PX_PER_MINUTE = HOUR_PX / 60;
export const WORKDAY_START_HOUR = 8;
const FRIDAY = 4;
/** The calendar export's default review slot (server/plan/export-ics.ts) when none was chosen. */
const DEFAULT_REVIEW_START = '16:00';
const DEFAULT_REVIEW_MINUTES = 30;
/** A pointer that moved less than this is a click or tap, not a drag. */
const DRAG_THRESHOLD_PX = 4;
const DEFAULT_NEW_BLOCK_MINUTES = 60;

type Drag = { id: string; mode: 'move' | 'resize'; x: number; y: number; dayWidth: number; days: number; minutes: number; moved: boolean };

export function reviewSlotOf(plan: WeekPlan): { start: string; end: string } | null {
  if (plan.review) return plan.review;
  try {
    const start = localToInstant(plan.weekKey, FRIDAY, DEFAULT_REVIEW_START, plan.timeZone);
    return { start, end: new Date(Date.parse(start) + DEFAULT_REVIEW_MINUTES * 60_000).toISOString() };
  } catch {
    return null;
  }
}

/**
 * The draft "Add a block" opens: today in a week that is under way (else Monday), at the next
 * full hour but not before 09:00, an hour long and ending by 23:00.
 */
export function newBlockDraft(now: LocalSlot | null): BlockDraft {
  const day = now?.day ?? 0;
  const nextHour = now ? Math.ceil((now.start + 1) / 60) * 60 : 0;
  const start = Math.min(22 * 60, Math.max(WORKDAY_START_HOUR * 60 + 60, nextHour));
  return { id: null, title: '', kind: 'deep_work', rockId: null, day, start, end: start + DEFAULT_NEW_BLOCK_MINUTES };
}

const isCoarsePointer = () => typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;

export function WeekGrid({ editor, now }: { editor: PlanEditor; now: Date }) {
  const plan = editor.plan;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [dialog, setDialog] = useState<BlockDraft | null>(null);
  const tapped = useRef<string | null>(null);
  const rocks = useMemo(() => [...plan.rocks].sort((a, b) => a.position - b.position), [plan.rocks]);
  const rockTitle = new Map(rocks.map((r) => [r.id, r.title]));
  const dates = weekDates(plan.weekKey);
  const nowSlot = localSlot(plan, { start: now.toISOString(), end: new Date(now.getTime() + 60_000).toISOString() });
  const weekIsPast = !nowSlot && now.getTime() > Date.parse(instantAt(plan, 6, MINUTES_PER_DAY));
  const review = reviewSlotOf(plan);
  const reviewSlot = review ? localSlot(plan, review) : null;

  const placed = plan.blocks
    .map((b) => ({ block: b, slot: localSlot(plan, b) }))
    .filter((p): p is { block: TimeBlock; slot: LocalSlot } => p.slot !== null);

  // Open at the working day (or at the earliest block, if that is earlier).
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (!scrollRef.current || opened.current === plan.weekKey) return;
    opened.current = plan.weekKey;
    const earliest = Math.min(WORKDAY_START_HOUR * 60, ...placed.map((p) => p.slot.start));
    scrollRef.current.scrollTop = Math.max(0, earliest - 30) * PX_PER_MINUTE;
  }, [plan.weekKey, placed]);

  function shownSlot(block: TimeBlock, slot: LocalSlot): LocalSlot {
    if (!drag || drag.id !== block.id) return slot;
    if (drag.mode === 'resize') return { ...slot, end: Math.min(MINUTES_PER_DAY, Math.max(slot.start + SNAP_MINUTES, slot.end + drag.minutes)) };
    const day = Math.min(6, Math.max(0, slot.day + drag.days));
    const length = slot.end - slot.start;
    const start = Math.min(MINUTES_PER_DAY - SNAP_MINUTES, Math.max(0, slot.start + drag.minutes));
    return { day, start, end: Math.min(MINUTES_PER_DAY, start + length) };
  }

  function openEdit(block: TimeBlock) {
    const slot = localSlot(plan, block);
    if (!slot) return;
    setDialog({ id: block.id, title: block.title, kind: block.kind, rockId: block.rockId, day: slot.day, start: slot.start, end: slot.end });
  }

  function startDrag(e: PointerEvent<HTMLElement>, block: TimeBlock, mode: Drag['mode']) {
    if (e.button !== 0 || block.id === 'pending') return;
    const column = (e.currentTarget.closest('.wk-day') as HTMLElement | null) ?? e.currentTarget;
    e.stopPropagation();
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    setDrag({ id: block.id, mode, x: e.clientX, y: e.clientY, dayWidth: column.getBoundingClientRect().width || 1, days: 0, minutes: 0, moved: false });
  }

  function moveDrag(e: PointerEvent<HTMLElement>) {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    const moved = drag.moved || Math.abs(dx) > DRAG_THRESHOLD_PX || Math.abs(dy) > DRAG_THRESHOLD_PX;
    const minutes = snap(dy / PX_PER_MINUTE);
    const days = drag.mode === 'move' ? Math.round(dx / drag.dayWidth) : 0;
    if (moved !== drag.moved || minutes !== drag.minutes || days !== drag.days) setDrag({ ...drag, moved, minutes, days });
  }

  function endDrag(block: TimeBlock) {
    const d = drag;
    setDrag(null);
    if (!d) return;
    if (!d.moved) {
      // A tap on a phone opens the edit sheet (on the click that follows, so that click does
      // not land in the sheet); a click on a desktop just focuses (Enter edits).
      tapped.current = isCoarsePointer() ? block.id : null;
      return;
    }
    if (d.mode === 'resize') {
      const times = resizedBlock(plan, block, d.minutes);
      if (times && times.end !== block.end) editor.run(changeBlock(block, { end: times.end }, 'Resized'));
    } else {
      const times = movedBlock(plan, block, d.days, d.minutes);
      if (times && times.start !== block.start) editor.run(changeBlock(block, times, 'Moved'));
    }
  }

  function onBlockKey(e: KeyboardEvent<HTMLElement>, block: TimeBlock) {
    if (e.target !== e.currentTarget) return;
    const step = e.key === 'ArrowUp' ? -SNAP_MINUTES : e.key === 'ArrowDown' ? SNAP_MINUTES : 0;
    const dayStep = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
    if (step !== 0 && e.shiftKey) {
      const times = resizedBlock(plan, block, step);
      if (times && times.end !== block.end) editor.run(changeBlock(block, { end: times.end }, 'Resized'));
    } else if (step !== 0 || dayStep !== 0) {
      const times = movedBlock(plan, block, dayStep, step);
      if (times && times.start !== block.start) editor.run(changeBlock(block, times, 'Moved'));
    } else if (e.key === 'Enter' || e.key === ' ') openEdit(block);
    else if (e.key === 'Delete' || e.key === 'Backspace') editor.run(deleteBlock(block));
    else return;
    e.preventDefault();
  }

  function addAt(e: React.MouseEvent<HTMLElement>, day: number) {
    if (e.target !== e.currentTarget) return;
    const y = e.clientY - e.currentTarget.getBoundingClientRect().top;
    const start = Math.min(MINUTES_PER_DAY - DEFAULT_NEW_BLOCK_MINUTES, Math.max(0, Math.floor(y / PX_PER_MINUTE / 30) * 30));
    setDialog({ id: null, title: '', kind: 'deep_work', rockId: null, day, start, end: start + DEFAULT_NEW_BLOCK_MINUTES });
  }

  /** Without a pointer: a new block today (or Monday) at the next full hour of the working day; the dialog sets day and times. */
  function addFromButton() {
    setDialog(newBlockDraft(nowSlot));
  }

  function save(d: BlockDraft) {
    const fields = { title: d.title.trim(), kind: d.kind, rockId: d.rockId, start: instantAt(plan, d.day, d.start), end: instantAt(plan, d.day, d.end) };
    const block = d.id ? plan.blocks.find((b) => b.id === d.id) : undefined;
    if (!block) editor.run(addBlock(fields));
    else {
      const changed: Parameters<typeof changeBlock>[1] = {};
      if (fields.title !== block.title) changed.title = fields.title;
      if (fields.kind !== block.kind) changed.kind = fields.kind;
      if (fields.rockId !== block.rockId) changed.rockId = fields.rockId;
      if (fields.start !== block.start) changed.start = fields.start;
      if (fields.end !== block.end) changed.end = fields.end;
      const verb = changed.start || changed.end ? 'Moved' : changed.title ? 'Renamed' : 'Changed';
      if (Object.keys(changed).length > 0) editor.run(changeBlock(block, changed, verb));
    }
    setDialog(null);
  }

  const titleOf = (b: TimeBlock) => b.title || (b.rockId ? rockTitle.get(b.rockId) : '') || BLOCK_KIND_LABEL[b.kind] || 'Block';
  const hours = Array.from({ length: 24 }, (_, h) => h);

  return (
    <div className="wk" data-testid="week-grid" data-week={plan.weekKey}>
      <div className="wk-toolbar">
        <button type="button" className="secondary small-button" onClick={addFromButton}>
          + Add a block
        </button>
      </div>
      <ol className="wk-agenda" aria-label="Agenda: blocks this week" data-testid="agenda">
        {WEEKDAYS.map((day, i) => {
          const items = placed.filter((p) => p.slot.day === i).sort((a, b) => a.slot.start - b.slot.start);
          const hasReview = reviewSlot?.day === i;
          if (items.length === 0 && !hasReview) return null;
          return (
            <li key={day} className={`wk-agenda-day${weekIsPast || (nowSlot && i < nowSlot.day) ? ' past' : ''}`}>
              <h4>
                {day} {dates?.[i]}
              </h4>
              <ul>
                {items.map(({ block, slot }) => (
                  <li key={block.id}>
                    <button type="button" className={`wk-agenda-item ${block.kind}`} onClick={() => openEdit(block)} disabled={block.id === 'pending'}>
                      <span className="when">{slotLabel(slot).slice(4)}</span>
                      <span className="what">{titleOf(block)}</span>
                      <span className="muted small">{BLOCK_KIND_LABEL[block.kind]}</span>
                    </button>
                  </li>
                ))}
                {hasReview && reviewSlot && (
                  <li className="wk-agenda-item review">
                    <span className="when">{slotLabel(reviewSlot).slice(4)}</span>
                    <span className="what">Weekly review</span>
                  </li>
                )}
              </ul>
            </li>
          );
        })}
        {placed.length === 0 && <li className="muted small">No blocks yet. Tap a time in the grid, or “Add a block”.</li>}
      </ol>

      <div className="wk-scroll" ref={scrollRef} data-testid="week-scroll">
        <div className="wk-head" aria-hidden="true">
          <span />
          {WEEKDAYS.map((day, i) => (
            <span key={day} className={nowSlot?.day === i ? 'today' : ''}>
              {day.slice(0, 3)} <b>{dates?.[i]}</b>
            </span>
          ))}
        </div>
        <div className="wk-body" style={{ height: 24 * HOUR_PX }}>
          <div className="wk-hours" aria-hidden="true">
            {hours.map((h) => (
              <span key={h} style={{ top: h * HOUR_PX }}>
                {h === 0 ? '' : `${String(h).padStart(2, '0')}:00`}
              </span>
            ))}
          </div>
          {WEEKDAYS.map((day, i) => {
            const past = weekIsPast || (nowSlot !== null && i < nowSlot.day);
            return (
              <div
                key={day}
                className={`wk-day${past ? ' past' : ''}`}
                data-day={i}
                role="group"
                aria-label={`${day} ${dates?.[i] ?? ''}`}
                onClick={(e) => addAt(e, i)}
                title="Click an empty time to add a block"
              >
                {nowSlot?.day === i && (
                  <>
                    <div className="wk-past" style={{ height: nowSlot.start * PX_PER_MINUTE }} aria-hidden="true" />
                    <div className="wk-now" style={{ top: nowSlot.start * PX_PER_MINUTE }} aria-label={`Now, ${hhmm(nowSlot.start)}`} />
                  </>
                )}
                {reviewSlot?.day === i && (
                  <div className="wk-review" style={{ top: reviewSlot.start * PX_PER_MINUTE, height: (reviewSlot.end - reviewSlot.start) * PX_PER_MINUTE }} aria-hidden="true">
                    Weekly review
                  </div>
                )}
                {placed
                  .filter((p) => shownSlot(p.block, p.slot).day === i)
                  .map(({ block, slot }) => {
                    const s = shownSlot(block, slot);
                    const title = titleOf(block);
                    const label = `${BLOCK_KIND_LABEL[block.kind] ?? block.kind}: ${title}, ${slotLabel(s)}`;
                    return (
                      <div
                        key={block.id}
                        role="button"
                        tabIndex={0}
                        className={`wk-block ${block.kind}${drag?.id === block.id && drag.moved ? ' dragging' : ''}${block.id === 'pending' ? ' pending' : ''}`}
                        data-block-id={block.id}
                        data-testid="block"
                        aria-label={label}
                        aria-keyshortcuts="ArrowUp ArrowDown ArrowLeft ArrowRight Shift+ArrowUp Shift+ArrowDown Enter Delete"
                        aria-description="Arrows move it 15 minutes or a day, Shift with up or down resizes, Enter edits, Delete removes."
                        style={{ top: s.start * PX_PER_MINUTE, height: Math.max(12, (s.end - s.start) * PX_PER_MINUTE) }}
                        onPointerDown={(e) => startDrag(e, block, 'move')}
                        onPointerMove={moveDrag}
                        onPointerUp={() => endDrag(block)}
                        onPointerCancel={() => setDrag(null)}
                        onKeyDown={(e) => onBlockKey(e, block)}
                        onDoubleClick={() => openEdit(block)}
                        onClick={(e) => {
                          e.stopPropagation();
                          if (tapped.current === block.id) openEdit(block);
                          tapped.current = null;
                        }}
                      >
                        <span className="wk-title">{title}</span>
                        <span className="wk-time">
                          {hhmm(s.start)}–{s.end >= MINUTES_PER_DAY ? '24:00' : hhmm(s.end)}
                        </span>
                        <button
                          type="button"
                          className="wk-menu"
                          aria-label={`Edit “${title}”`}
                          tabIndex={-1}
                          onPointerDown={(e) => e.stopPropagation()}
                          onClick={(e) => {
                            e.stopPropagation();
                            openEdit(block);
                          }}
                        >
                          ⋯
                        </button>
                        <span
                          className="wk-resize"
                          aria-hidden="true"
                          onPointerDown={(e) => startDrag(e, block, 'resize')}
                          onPointerMove={(e) => {
                            e.stopPropagation();
                            moveDrag(e);
                          }}
                          onPointerUp={(e) => {
                            e.stopPropagation();
                            endDrag(block);
                          }}
                        />
                      </div>
                    );
                  })}
              </div>
            );
          })}
        </div>
      </div>

      {dialog && (
        <BlockDialog
          draft={dialog}
          rocks={rocks}
          onSave={save}
          onDelete={
            dialog.id
              ? () => {
                  const block = plan.blocks.find((b) => b.id === dialog.id);
                  if (block) editor.run(deleteBlock(block));
                  setDialog(null);
                }
              : undefined
          }
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
