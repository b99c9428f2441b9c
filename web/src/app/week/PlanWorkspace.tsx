// Everything a person edits in a week: the grid, rocks, vision, environment, review slot;
// with the undo toast, Ctrl/Cmd+Z, rollback messages, and a "plan updated" notice when a
// change from elsewhere lands while the grid is out of view.

import { useEffect, useRef, useState } from 'react';
import type { WeekPlan } from '../../../../server/plan/types.ts';
import { usePlanEditor } from './use-plan-editor.ts';
import { EnvironmentEditor, ReviewEditor, RocksEditor, VisionEditor } from './PlanSections.tsx';
import { reviewSlotOf, WeekGrid } from './WeekGrid.tsx';
import './week.css';

const NOW_TICK_MS = 60_000;

function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), NOW_TICK_MS);
    return () => clearInterval(t);
  }, []);
  return now;
}

const city = (zone: string) => (zone.split('/').pop() ?? zone).replace(/_/g, ' ');

/** `viewerZone`: the person's time zone now; a week planned in another one says so. */
export function PlanWorkspace({ plan: source, showVision = true, viewerZone }: { plan: WeekPlan; showVision?: boolean; viewerZone?: string }) {
  const editor = usePlanEditor(source);
  const now = useNow();
  const gridRef = useRef<HTMLElement>(null);
  const [gridVisible, setGridVisible] = useState(true);
  const [outsideUpdate, setOutsideUpdate] = useState(false);
  const seenVersion = useRef(source.version);
  const { plan } = editor;
  const undo = editor.undo;

  useEffect(() => {
    const el = gridRef.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => setGridVisible(entries.some((e) => e.isIntersecting)));
    io.observe(el);
    return () => io.disconnect();
  }, []);

  useEffect(() => {
    if (source.version > seenVersion.current && !editor.isOwnVersion(source.version) && !gridVisible) setOutsideUpdate(true);
    seenVersion.current = Math.max(seenVersion.current, source.version);
  }, [source.version, gridVisible, editor]);

  useEffect(() => {
    if (gridVisible) setOutsideUpdate(false);
  }, [gridVisible]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'z' || !(e.ctrlKey || e.metaKey) || e.shiftKey) return;
      const t = e.target as HTMLElement | null;
      // Text fields keep their own undo.
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      e.preventDefault();
      undo();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [undo]);

  const id = plan.weekKey;
  return (
    <div className="plan-workspace">
      {editor.notice && (
        <p role="alert" className={`edit-notice ${editor.notice.tone}`} data-testid="edit-notice">
          <span>{editor.notice.text}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={editor.dismissNotice}>
            ✕
          </button>
        </p>
      )}

      <section aria-labelledby={`${id}-week`} ref={gridRef}>
        <h3 id={`${id}-week`}>
          Week <span className="muted small">· times in {plan.timeZone.replace(/_/g, ' ')}</span>
        </h3>
        {viewerZone && viewerZone !== plan.timeZone && (
          <p className="small muted zone-note" data-testid="zone-note">
            This week was planned in {city(plan.timeZone)} time and is shown in it; your time zone is now {city(viewerZone)}, which new weeks use.
            Change it under “Account and devices” on the <a href="/#/">home page</a>.
          </p>
        )}
        <WeekGrid editor={editor} now={now} />
        <p className="legend small muted" aria-hidden="true">
          <span className="key deep_work" /> Deep work <span className="key recovery" /> Recovery <span className="key other" /> Other <span className="key review" /> Review
        </p>
      </section>

      <section aria-labelledby={`${id}-rocks`}>
        <h3 id={`${id}-rocks`}>Big rocks</h3>
        <RocksEditor editor={editor} />
      </section>

      <section aria-labelledby={`${id}-review-slot`}>
        <h3 id={`${id}-review-slot`}>Weekly review</h3>
        <ReviewEditor editor={editor} slot={reviewSlotOf(plan)} />
      </section>

      <section aria-labelledby={`${id}-env`}>
        <h3 id={`${id}-env`}>Environment</h3>
        <EnvironmentEditor editor={editor} />
      </section>

      {showVision && (
        <section aria-labelledby={`${id}-vision`}>
          <h3 id={`${id}-vision`}>Vision</h3>
          <VisionEditor editor={editor} />
        </section>
      )}

      {outsideUpdate && (
        <button type="button" className="plan-updated-notice" onClick={() => gridRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' })}>
          Plan updated · show
        </button>
      )}

      {editor.toast && (
        <div className="toast" role="status" data-testid="toast">
          <span>{editor.toast.label}</span>
          {editor.toast.undoable && (
            <>
              <span aria-hidden="true">·</span>
              <button type="button" className="link-button" onClick={editor.undo}>
                Undo
              </button>
            </>
          )}
          <button type="button" className="icon" aria-label="Dismiss" onClick={editor.dismissToast}>
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
