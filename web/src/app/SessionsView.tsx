import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Api, type SessionKind, type SessionSummary, type User } from './api.ts';
import { AccountSection } from './AccountSection.tsx';
import { FirstRunIntro } from './FirstRunIntro.tsx';
import { weekLabel } from './iso-week.ts';
import { NotificationsSection } from './Notifications.tsx';
import { chatHref } from './route.ts';
import { SessionItem } from './SessionItem.tsx';
import { groupByIsoWeek, KIND_LABEL, safeWeekKey, weekPlanSession } from './session-list.ts';
import { WeekGlance } from './WeekGlance.tsx';

export { groupByIsoWeek, type WeekGroup } from './session-list.ts';

/** The title a new session gets; the list shows it under its week with the day it was started. */
export function newSessionTitle(kind: SessionKind): string {
  return KIND_LABEL[kind] ?? 'Session';
}

function formatDay(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const opts: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  try {
    return d.toLocaleString(undefined, { ...opts, timeZone });
  } catch {
    return d.toLocaleString(undefined, opts);
  }
}

export function SessionsView({
  api,
  user,
  onLogout,
  onUserChanged = () => {},
}: {
  api: Api;
  user: User;
  onLogout: () => void;
  onUserChanged?: (u: User) => void;
  onSignedOut?: () => void;
}) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const timeZone = user.timeZone || undefined;
  const thisWeek = safeWeekKey(new Date(), timeZone);
  const weekPlan = sessions ? weekPlanSession(sessions, thisWeek, timeZone) : null;

  const load = useCallback(async () => {
    try {
      setSessions(await api.listSessions());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your sessions.');
    }
  }, [api]);

  useEffect(() => {
    document.title = 'Focus Coach';
    void load();
  }, [load]);

  async function start(kind: SessionKind) {
    setCreating(true);
    setError(null);
    try {
      // One plan per week: a plan session carries its week from the start.
      const s = await api.createSession(kind === 'plan' ? { kind, title: newSessionTitle(kind), weekKey: thisWeek } : { kind, title: newSessionTitle(kind) });
      location.hash = chatHref(s.id);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not start a session.');
      setCreating(false);
    }
  }

  function planThisWeek() {
    // Fetched again at click time would be slower; the list is fresh enough and a duplicate is harmless.
    if (weekPlan) location.hash = chatHref(weekPlan.id);
    else void start('plan');
  }

  const replaceSession = (next: SessionSummary) => setSessions((list) => list?.map((s) => (s.id === next.id ? next : s)) ?? null);
  const dropSession = (id: string) => setSessions((list) => list?.filter((s) => s.id !== id) ?? null);

  return (
    <main className="sessions">
      <header className="bar">
        <h1>Focus Coach</h1>
        <span className="muted small">{user.email}</span>
        <button type="button" className="secondary" onClick={onLogout}>
          Log out
        </button>
      </header>
      {sessions?.length === 0 && (
        <div className="welcome">
          <FirstRunIntro />
        </div>
      )}
      <div className="row actions">
        <button type="button" disabled={creating || sessions === null} onClick={planThisWeek} data-testid="plan-week">
          {weekPlan ? 'Continue this week’s plan' : 'Plan this week'}
        </button>
        <button type="button" className="secondary" disabled={creating} onClick={() => void start('review')}>
          Friday review
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <WeekGlance api={api} weekKey={thisWeek} />
      {sessions === null && !error && (
        <p className="muted" role="status">
          Loading sessions…
        </p>
      )}
      {sessions &&
        sessions.length > 0 &&
        groupByIsoWeek(sessions, timeZone).map((g) => (
          <section key={g.weekKey} className="week-group" aria-labelledby={`wk-${g.weekKey}`}>
            <h2 id={`wk-${g.weekKey}`}>
              {g.weekKey === thisWeek ? 'This week · ' : ''}
              {g.weekKey === 'Undated' ? 'Undated' : weekLabel(g.weekKey)}
            </h2>
            <ul className="session-list">
              {g.sessions.map((s) => (
                <SessionItem
                  key={s.id}
                  api={api}
                  session={s}
                  when={s.lastActiveAt && s.lastActiveAt !== s.createdAt ? `Last active ${formatDay(s.lastActiveAt, timeZone)}` : `Started ${formatDay(s.createdAt, timeZone)}`}
                  onChanged={replaceSession}
                  onDeleted={dropSession}
                />
              ))}
            </ul>
          </section>
        ))}
      <NotificationsSection api={api} />
      <AccountSection api={api} user={user} onUserChanged={onUserChanged} />
    </main>
  );
}
