// /weeks/:weekKey — the week outside the chat: previous and next week, the editable plan,
// live from GET /api/weeks/:weekKey/live (every device's and the coach's changes).

import { useEffect, useState } from 'react';
import type { WeekPlan } from '../../../../server/plan/types.ts';
import { nextWeekKey, previousWeekKey } from './zoned-time.ts';
import { ApiError, type Api, type User } from '../api.ts';
import { isoWeekKey, weekLabel } from '../iso-week.ts';
import { PlanExports } from '../PlanPanel.tsx';
import { navigate, weekPath } from '../route.ts';
import { PlanWorkspace } from './PlanWorkspace.tsx';

type Load = { state: 'loading' } | { state: 'ready'; plan: WeekPlan } | { state: 'error'; message: string };

function useLiveWeek(api: Api, weekKey: string, onSignedOut: () => void): Load {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  useEffect(() => {
    let alive = true;
    setLoad({ state: 'loading' });
    const take = (plan: WeekPlan) => {
      if (!alive || plan.weekKey !== weekKey) return;
      setLoad((prev) => (prev.state === 'ready' && prev.plan.version >= plan.version ? prev : { state: 'ready', plan }));
    };
    api.getWeek(weekKey).then(take, (e: unknown) => {
      if (!alive) return;
      if (e instanceof ApiError && e.status === 401) onSignedOut();
      else setLoad({ state: 'error', message: e instanceof ApiError ? e.message : 'Could not load the week.' });
    });
    // EventSource reconnects by itself and starts again with the current plan.
    const live = typeof EventSource === 'function' ? new EventSource(`/api/weeks/${encodeURIComponent(weekKey)}/live`) : null;
    live?.addEventListener('plan.updated', (e) => {
      try {
        const data = JSON.parse((e as MessageEvent<string>).data) as { plan?: WeekPlan };
        if (data.plan) take(data.plan);
      } catch {
        // a malformed frame is ignored; the next one carries the whole plan again
      }
    });
    return () => {
      alive = false;
      live?.close();
    };
  }, [api, weekKey, onSignedOut]);
  return load;
}

export function WeekPage({ api, weekKey, user, onSignedOut }: { api: Api; weekKey: string; user: User; onSignedOut: () => void }) {
  const load = useLiveWeek(api, weekKey, onSignedOut);
  const zone = user.timeZone || 'UTC';
  const thisWeek = isoWeekKey(new Date(), zone);
  const [week, ...range] = weekLabel(weekKey).split(' · ');

  useEffect(() => {
    document.title = `${week} · Focus Coach`;
  }, [week]);

  const go = (key: string) => navigate(weekPath(key));

  return (
    <div className="week-page">
      <header className="bar">
        <a href="/#/" className="back">
          <span aria-hidden="true">←</span>
          <span className="back-label">Sessions</span>
        </a>
        <h1 className="title">
          {week}
          <span className="muted small week-range"> · {range.join(' · ')}</span>
        </h1>
        <nav className="week-nav" aria-label="Weeks">
          <button type="button" className="secondary small-button" onClick={() => go(previousWeekKey(weekKey))} aria-label="Previous week">
            ‹ <span className="nav-label">Previous</span>
          </button>
          {weekKey !== thisWeek && (
            <button type="button" className="secondary small-button" onClick={() => go(thisWeek)}>
              This week
            </button>
          )}
          <button type="button" className="secondary small-button" onClick={() => go(nextWeekKey(weekKey))} aria-label="Next week">
            <span className="nav-label">Next</span> ›
          </button>
        </nav>
      </header>
      <main className="week-main">
        {load.state === 'ready' ? (
          <>
            <PlanExports api={api} weekKey={weekKey} weekLink={false} />
            <PlanWorkspace plan={load.plan} viewerZone={zone} />
          </>
        ) : load.state === 'error' ? (
          <p role="alert" className="error">
            {load.message}
          </p>
        ) : (
          <p className="muted" role="status">
            Loading the week…
          </p>
        )}
      </main>
    </div>
  );
}
