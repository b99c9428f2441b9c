import { useEffect, useState } from 'react';
import type { WeekPlan } from '../../../server/plan/types.ts';
import type { Api } from './api.ts';
import { weekLabel } from './iso-week.ts';
import { weekPath } from './route.ts';

const MINUTES_PER_HOUR = 60;

/** Numbers for the home page: rocks, hours of deep work, blocks and whether the review is set. */
export function weekSummary(plan: WeekPlan): { rocks: number; done: number; unscheduled: string[]; deepWorkHours: number; blocks: number } {
  const rocks = (plan.rocks ?? []).filter((r) => r.status !== 'dropped');
  const blocks = plan.blocks ?? [];
  const scheduled = new Set(blocks.map((b) => b.rockId).filter(Boolean));
  let deepMinutes = 0;
  for (const b of blocks) {
    if (b.kind !== 'deep_work') continue;
    const ms = Date.parse(b.end) - Date.parse(b.start);
    if (ms > 0) deepMinutes += ms / 60_000;
  }
  return {
    rocks: rocks.length,
    done: rocks.filter((r) => r.status === 'done').length,
    unscheduled: rocks.filter((r) => r.status !== 'done' && !scheduled.has(r.id)).map((r) => r.title),
    deepWorkHours: Math.round((deepMinutes / MINUTES_PER_HOUR) * 10) / 10,
    blocks: blocks.length,
  };
}

/** This week at a glance: the big rocks and how much focus time is planned. */
export function WeekGlance({ api, weekKey }: { api: Api; weekKey: string }) {
  const [plan, setPlan] = useState<WeekPlan | null | 'failed'>(null);
  useEffect(() => {
    let alive = true;
    api.getWeek(weekKey).then(
      (p) => alive && setPlan(p),
      () => alive && setPlan('failed'),
    );
    return () => {
      alive = false;
    };
  }, [api, weekKey]);

  if (plan === 'failed') return null;
  const sum = plan ? weekSummary(plan) : null;
  return (
    <section className="glance" aria-labelledby="glance-title" data-testid="week-glance">
      <h2 id="glance-title">
        Your week at a glance <span className="muted small">· {weekLabel(weekKey)}</span>
      </h2>
      {!plan || !sum ? (
        <p className="muted small" role="status">
          Loading your week…
        </p>
      ) : sum.rocks === 0 && sum.blocks === 0 ? (
        <p className="muted small">Nothing planned yet. Your coach helps you pick up to five big rocks and protect time for them.</p>
      ) : (
        <>
          <p className="glance-numbers">
            <span>
              <strong>{sum.rocks}</strong> {sum.rocks === 1 ? 'big rock' : 'big rocks'}
              {sum.done > 0 ? ` (${sum.done} done)` : ''}
            </span>
            <span>
              <strong>{sum.deepWorkHours}</strong> h deep work
            </span>
            <span>
              <strong>{sum.blocks}</strong> {sum.blocks === 1 ? 'block' : 'blocks'}
            </span>
          </p>
          <ul className="glance-rocks">
            {(plan.rocks ?? [])
              .filter((r) => r.status !== 'dropped')
              .map((r) => (
                <li key={r.id}>
                  <span className={r.status === 'done' ? 'done' : undefined}>{r.title}</span>
                  {r.status === 'done' ? (
                    <span className="chip done">done</span>
                  ) : sum.unscheduled.includes(r.title) ? (
                    <span className="chip">not scheduled</span>
                  ) : (
                    <span className="chip scheduled">scheduled</span>
                  )}
                </li>
              ))}
          </ul>
        </>
      )}
      {/* The week itself, to change any part of it directly (drag, resize, add, rocks, review). */}
      <a className="glance-open" href={weekPath(weekKey)} data-testid="open-week">
        {sum && (sum.rocks > 0 || sum.blocks > 0) ? 'Open the week' : 'Plan it yourself on the week page'} <span aria-hidden="true">→</span>
      </a>
    </section>
  );
}
