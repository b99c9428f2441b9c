// Optimistic plan edits: an edit shows at once, is sent with If-Match, and is rolled back
// with a readable message on 422 (a rule) or 412 (the plan changed elsewhere). Edits run one
// after another, so each is based on the version the previous one produced. The last edit
// can be undone (Ctrl/Cmd+Z or the toast's Undo).

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WeekPlan } from '../../../../server/plan/types.ts';
import { PlanWriteError, sendPlanWrite, type PlanRequest } from './plan-writes.ts';

export interface PlanEdit {
  /** For the toast, e.g. "Moved “Launch brief”". */
  label: string;
  request: PlanRequest;
  /** The plan as it should look once the edit is saved (shown while it is sent). */
  optimistic(plan: WeekPlan): WeekPlan;
  /** The edit that puts things back, given the plan the server returned. */
  undo?(saved: WeekPlan): PlanEdit | null;
}

export interface EditorNotice {
  text: string;
  tone: 'bad' | 'ok';
}

export interface PlanEditor {
  plan: WeekPlan;
  run(edit: PlanEdit): void;
  undo(): void;
  canUndo: boolean;
  toast: { label: string; undoable: boolean } | null;
  dismissToast(): void;
  notice: EditorNotice | null;
  dismissNotice(): void;
  /** Versions this device produced; a newer plan that is not one of them came from elsewhere. */
  isOwnVersion(version: number): boolean;
}

const TOAST_MS = 8_000;

function newer(a: WeekPlan, b: WeekPlan): WeekPlan {
  return (b.version ?? 0) > (a.version ?? 0) ? b : a;
}

export function usePlanEditor(source: WeekPlan): PlanEditor {
  const [confirmed, setConfirmed] = useState(source);
  const confirmedRef = useRef(source);
  const [queue, setQueue] = useState<PlanEdit[]>([]);
  const queueRef = useRef<PlanEdit[]>([]);
  const running = useRef(false);
  const own = useRef(new Set<number>());
  const [undoEdit, setUndoEdit] = useState<PlanEdit | null>(null);
  const [toast, setToast] = useState<PlanEditor['toast']>(null);
  const [notice, setNotice] = useState<EditorNotice | null>(null);
  const toastTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const accept = useCallback((plan: WeekPlan) => {
    const next = newer(confirmedRef.current, plan);
    if (next.weekKey !== confirmedRef.current.weekKey) {
      confirmedRef.current = plan;
      setConfirmed(plan);
      return;
    }
    confirmedRef.current = next;
    setConfirmed(next);
  }, []);

  useEffect(() => {
    // A different week, or a newer version from the live feed (this device's or another's).
    if (source.weekKey !== confirmedRef.current.weekKey) {
      queueRef.current = [];
      setQueue([]);
      setUndoEdit(null);
      setToast(null);
      confirmedRef.current = source;
      setConfirmed(source);
    } else accept(source);
  }, [source, accept]);

  useEffect(() => () => clearTimeout(toastTimer.current), []);

  const showToast = useCallback((label: string, undoable: boolean) => {
    clearTimeout(toastTimer.current);
    setToast({ label, undoable });
    toastTimer.current = setTimeout(() => setToast(null), TOAST_MS);
  }, []);

  const pump = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    while (queueRef.current.length > 0) {
      const [edit, isUndo] = [queueRef.current[0]!, undoMarks.has(queueRef.current[0]!)];
      const base = confirmedRef.current;
      try {
        const saved = await sendPlanWrite(base.weekKey, edit.request, base.version ?? 0);
        own.current.add(saved.version);
        accept(saved);
        const back = isUndo ? null : (edit.undo?.(saved) ?? null);
        setUndoEdit(back);
        showToast(isUndo ? `Undone: ${edit.label.replace(/^Undo /, '')}` : edit.label, back !== null);
        setNotice(null);
      } catch (e) {
        const err = e instanceof PlanWriteError ? e : new PlanWriteError(0, 'internal', 'Something went wrong.');
        if (err.plan) accept(err.plan);
        const rest = queueRef.current.length - 1;
        // Later edits were based on this one: drop them too (the slice below drops this one).
        queueRef.current = [edit];
        const why =
          err.code === 'plan_changed'
            ? 'the plan was changed meanwhile (on another device or by the coach). You now see the latest version — try again.'
            : err.message;
        setNotice({ text: `Not saved — ${edit.label.charAt(0).toLowerCase()}${edit.label.slice(1)}: ${why}${rest > 0 ? ` (${rest} later change${rest === 1 ? '' : 's'} also undone)` : ''}`, tone: 'bad' });
        setToast(null);
      }
      queueRef.current = queueRef.current.slice(1);
      setQueue(queueRef.current);
    }
    running.current = false;
  }, [accept, showToast]);

  const run = useCallback(
    (edit: PlanEdit) => {
      queueRef.current = [...queueRef.current, edit];
      setQueue(queueRef.current);
      void pump();
    },
    [pump],
  );

  const undo = useCallback(() => {
    if (!undoEdit) return;
    undoMarks.add(undoEdit);
    setUndoEdit(null);
    run(undoEdit);
  }, [undoEdit, run]);

  const plan = useMemo(() => queue.reduce((p, e) => e.optimistic(p), confirmed), [queue, confirmed]);

  return {
    plan,
    run,
    undo,
    canUndo: undoEdit !== null,
    toast,
    dismissToast: () => setToast(null),
    notice,
    dismissNotice: () => setNotice(null),
    isOwnVersion: (v) => own.current.has(v),
  };
}

/** Edits that are themselves undos (no undo of an undo, and a different toast). */
const undoMarks = new WeakSet<PlanEdit>();
