import { useState } from 'react';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { ApiError, type Api } from './api.ts';
import { weekLabel } from './iso-week.ts';
import { BLOCK_KIND_LABEL, blocksByWeekday, ROCK_STATUS_LABEL, WEEKDAYS } from './plan-format.ts';

export function PlanPanel({ api, weekKey, plan }: { api: Api; weekKey: string; plan: WeekPlan }) {
  const [copyState, setCopyState] = useState<string>('');
  const days = blocksByWeekday(plan.blocks ?? [], plan.timeZone || 'UTC');
  const rocks = [...(plan.rocks ?? [])].sort((a, b) => a.position - b.position);

  async function copyMarkdown() {
    setCopyState('Copying…');
    try {
      const md = await api.planMarkdown(weekKey);
      await navigator.clipboard.writeText(md);
      setCopyState('Copied');
    } catch (e) {
      setCopyState(e instanceof ApiError ? e.message : 'Could not copy');
    }
  }

  return (
    <section className="plan" aria-label={`Plan · ${weekLabel(weekKey)}`}>
      <div className="row">
        <a className="button secondary" href={api.planIcsUrl(weekKey)} download={`focus-${weekKey}.ics`}>
          Download .ics
        </a>
        <button type="button" className="secondary" onClick={() => void copyMarkdown()}>
          Copy Markdown
        </button>
        <span role="status" className="muted small">
          {copyState}
        </span>
      </div>

      <h3>Vision</h3>
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
        <p className="muted">Not set yet.</p>
      )}

      <h3>Rocks</h3>
      {rocks.length === 0 ? (
        <p className="muted">No rocks yet.</p>
      ) : (
        <ol className="rocks">
          {rocks.map((r) => (
            <li key={r.id}>
              <span>{r.title}</span>
              <span className={`chip ${r.status}`}>
                {ROCK_STATUS_LABEL[r.status] ?? r.status}
                {r.carryCount > 0 ? ` · carried ${r.carryCount}×` : ''}
              </span>
            </li>
          ))}
        </ol>
      )}

      <h3>Week</h3>
      <div className="week-grid">
        {WEEKDAYS.map((day, i) => (
          <section key={day} className="day" aria-label={day}>
            <h4>{day.slice(0, 3)}</h4>
            {days[i].length === 0 ? (
              <p className="muted small">—</p>
            ) : (
              <ul>
                {days[i].map(({ block, start, end }) => (
                  <li key={block.id} className={`block ${block.kind}`}>
                    <span className="small">
                      {start}–{end}
                    </span>
                    <span>{block.title}</span>
                    <span className="sr-only">{BLOCK_KIND_LABEL[block.kind] ?? block.kind}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))}
      </div>

      <h3>Environment</h3>
      {(plan.environment ?? []).length === 0 ? (
        <p className="muted">No commitments yet.</p>
      ) : (
        <ul className="environment">
          {plan.environment.map((e) => (
            <li key={e.id}>{e.text}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
