import { useEffect, useId, useRef, useState } from 'react';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { ApiError, type Api } from './api.ts';
import { copyText } from './clipboard.ts';
import { BLOCK_KIND_LABEL, blockBox, blocksByWeekday, gridHours, ROCK_STATUS_LABEL, WEEKDAYS, weekDates } from './plan-format.ts';

type Status = { text: string; tone: 'ok' | 'bad' | 'busy' } | null;

export function PlanPanel({ api, plan }: { api: Api; plan: WeekPlan }) {
  const weekKey = plan.weekKey;
  const timeZone = plan.timeZone || 'UTC';
  const days = blocksByWeekday(plan.blocks ?? [], timeZone);
  const rocks = [...(plan.rocks ?? [])].sort((a, b) => a.position - b.position);
  const environment = plan.environment ?? [];
  const reflections = plan.reflections ?? [];
  const rockTitle = new Map(rocks.map((r) => [r.id, r.title]));

  return (
    <div className="plan" data-testid="plan" data-week={weekKey}>
      <PlanExports api={api} weekKey={weekKey} />

      <section aria-labelledby={`${weekKey}-vision`}>
        <h3 id={`${weekKey}-vision`}>Vision</h3>
        {plan.vision ? (
          <dl className="vision">
            <dt>Work</dt>
            <dd>{plan.vision.work || '—'}</dd>
            <dt>Self</dt>
            <dd>{plan.vision.self || '—'}</dd>
            <dt>Relationships</dt>
            <dd>{plan.vision.relationships || '—'}</dd>
          </dl>
        ) : (
          <p className="muted small">Not set yet: the coach asks about your 12-month vision first.</p>
        )}
      </section>

      <section aria-labelledby={`${weekKey}-rocks`}>
        <h3 id={`${weekKey}-rocks`}>Big rocks</h3>
        {rocks.length === 0 ? (
          <p className="muted small">No rocks yet: the three to five things that make this week a success.</p>
        ) : (
          <ol className="rocks" data-testid="rocks">
            {rocks.map((r) => (
              <li key={r.id} className={`rock ${r.status}`}>
                <span className="rock-title">{r.title}</span>
                <span className={`chip ${r.status}`}>
                  {ROCK_STATUS_LABEL[r.status] ?? r.status}
                  {r.carryCount > 0 ? ` · carried ${r.carryCount}×` : ''}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby={`${weekKey}-week`}>
        <h3 id={`${weekKey}-week`}>
          Week <span className="muted small">· times in {timeZone.replace(/_/g, ' ')}</span>
        </h3>
        <WeekGrid weekKey={weekKey} days={days} rockTitle={rockTitle} />
      </section>

      <section aria-labelledby={`${weekKey}-env`}>
        <h3 id={`${weekKey}-env`}>Environment</h3>
        {environment.length === 0 ? (
          <p className="muted small">No commitments yet: what you will change around you to protect focus.</p>
        ) : (
          <ul className="environment">
            {environment.map((e) => (
              <li key={e.id}>{e.text}</li>
            ))}
          </ul>
        )}
      </section>

      {reflections.length > 0 && (
        <section aria-labelledby={`${weekKey}-review`}>
          <h3 id={`${weekKey}-review`}>Review</h3>
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

function WeekGrid({ weekKey, days, rockTitle }: { weekKey: string; days: ReturnType<typeof blocksByWeekday>; rockTitle: Map<string, string> }) {
  const hours = gridHours(days);
  const dates = weekDates(weekKey);
  const empty = days.every((d) => d.length === 0);
  // Seven columns from blocksByWeekday, one per WEEKDAYS entry.
  const blocksOn = (i: number) => days[i] ?? [];
  const blockLabel = (b: (typeof days)[number][number]) => {
    const kind = BLOCK_KIND_LABEL[b.block.kind] ?? b.block.kind;
    const title = b.block.title || (b.block.rockId ? rockTitle.get(b.block.rockId) : '') || kind;
    return { kind, title };
  };
  return (
    <>
      <div className="week-grid" role="list" aria-label="Week, Monday to Sunday">
        <div className="hours" aria-hidden="true">
          <span>{String(hours.from).padStart(2, '0')}:00</span>
          <span>{String(hours.to % 24).padStart(2, '0')}:00</span>
        </div>
        {WEEKDAYS.map((day, i) => (
          <div key={day} className="day" role="listitem" aria-label={`${day}${dates ? ` ${dates[i]}` : ''}: ${blocksOn(i).length === 0 ? 'nothing planned' : blocksOn(i).map((b) => `${b.start}–${b.end} ${blockLabel(b).kind}, ${blockLabel(b).title}`).join('; ')}`}>
            <div className="day-head" aria-hidden="true">
              <span>{day.slice(0, 3)}</span>
              {dates && <span className="date">{dates[i]}</span>}
            </div>
            <div className="day-track" aria-hidden="true">
              {blocksOn(i).map((b) => {
                const box = blockBox(b, hours);
                const { kind, title } = blockLabel(b);
                return (
                  <span
                    key={b.block.id}
                    className={`slot ${b.block.kind}`}
                    style={{ top: `${box.top}%`, height: `${box.height}%` }}
                    title={`${b.start}–${b.end} · ${kind}: ${title}`}
                  />
                );
              })}
            </div>
          </div>
        ))}
      </div>
      <p className="legend small muted" aria-hidden="true">
        <span className="key deep_work" /> Deep work <span className="key recovery" /> Recovery <span className="key other" /> Other
      </p>
      {empty ? (
        <p className="muted small">No blocks yet: deep work for your rocks, and time to recharge.</p>
      ) : (
        <ul className="agenda" data-testid="agenda" aria-label="Blocks this week">
          {WEEKDAYS.flatMap((day, i) =>
            blocksOn(i).map((b) => {
              const { kind, title } = blockLabel(b);
              return (
                <li key={b.block.id} className={`block ${b.block.kind}`}>
                  <span className="when">
                    {day.slice(0, 3)} {b.start}–{b.end}
                  </span>
                  <span className="what">
                    {title}
                    <span className="muted small"> · {kind}</span>
                  </span>
                </li>
              );
            }),
          )}
        </ul>
      )}
    </>
  );
}

function PlanExports({ api, weekKey }: { api: Api; weekKey: string }) {
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
