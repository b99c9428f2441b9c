import { useEffect, useId, useRef, useState } from 'react';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { ApiError, type Api } from './api.ts';
import { copyText } from './clipboard.ts';
import { weekPath } from './route.ts';
import { PlanWorkspace } from './week/PlanWorkspace.tsx';

type Status = { text: string; tone: 'ok' | 'bad' | 'busy' } | null;

export function PlanPanel({ api, plan, viewerZone }: { api: Api; plan: WeekPlan; viewerZone?: string }) {
  const weekKey = plan.weekKey;
  const reflections = plan.reflections ?? [];

  return (
    <div className="plan" data-testid="plan" data-week={weekKey}>
      <PlanExports api={api} weekKey={weekKey} />
      <PlanWorkspace plan={plan} viewerZone={viewerZone} />

      {reflections.length > 0 && (
        <section aria-labelledby={`${weekKey}-reflections`}>
          <h3 id={`${weekKey}-reflections`}>Review notes</h3>
          {reflections.map((r) => (
            <dl key={r.id} className="vision">
              <dt>Went well</dt>
              <dd>{r.wentWell || '—'}</dd>
              <dt>Time</dt>
              <dd>{r.timeNotes || '—'}</dd>
              <dt>Drop</dt>
              <dd>{r.drop || '—'}</dd>
            </dl>
          ))}
        </section>
      )}
    </div>
  );
}

export function PlanExports({ api, weekKey, weekLink = true }: { api: Api; weekKey: string; weekLink?: boolean }) {
  const [status, setStatus] = useState<Status>(null);
  const [feedUrl, setFeedUrl] = useState<string | null>(null);
  const feedInputId = useId();
  const clearTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(clearTimer.current), []);

  const show = (s: Status, clearAfterMs?: number) => {
    clearTimeout(clearTimer.current);
    setStatus(s);
    if (clearAfterMs) clearTimer.current = setTimeout(() => setStatus(null), clearAfterMs);
  };

  async function copyMarkdown() {
    show({ text: 'Copying…', tone: 'busy' });
    try {
      const md = await api.planMarkdown(weekKey);
      show((await copyText(md)) ? { text: 'Markdown copied', tone: 'ok' } : { text: 'Your browser blocked the clipboard', tone: 'bad' }, 4000);
    } catch (e) {
      show({ text: e instanceof ApiError ? e.message : 'Could not copy', tone: 'bad' });
    }
  }

  async function copyFeed() {
    show({ text: 'Making a feed link…', tone: 'busy' });
    try {
      const url = feedUrl ?? (await api.createFeed());
      setFeedUrl(url);
      show((await copyText(url)) ? { text: 'Feed URL copied: paste it into your calendar app', tone: 'ok' } : { text: 'Copy the feed URL below', tone: 'bad' }, 6000);
    } catch (e) {
      show({ text: e instanceof ApiError ? e.message : 'Could not make a feed link', tone: 'bad' });
    }
  }

  return (
    <div className="exports">
      <div className="row">
        <a className="button secondary small-button" href={api.planIcsUrl(weekKey)} download={`focus-${weekKey}.ics`}>
          Download .ics
        </a>
        <button type="button" className="secondary small-button" onClick={() => void copyMarkdown()}>
          Copy Markdown
        </button>
        <button type="button" className="secondary small-button" onClick={() => void copyFeed()}>
          Copy calendar feed URL
        </button>
        {weekLink && (
          <a className="button secondary small-button" href={weekPath(weekKey)}>
            Open the week page
          </a>
        )}
      </div>
      <p role="status" className={`export-status small ${status?.tone ?? ''}`}>
        {status?.text ?? ''}
      </p>
      {feedUrl && (
        <div className="feed-url">
          <label htmlFor={feedInputId} className="small">
            Calendar feed (private: anyone with it can read your plan)
          </label>
          <input id={feedInputId} readOnly value={feedUrl} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
    </div>
  );
}
