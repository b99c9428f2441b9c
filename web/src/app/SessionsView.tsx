import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Api, type SessionKind, type SessionSummary, type User } from './api.ts';
import { isoWeekKey, weekLabel } from './iso-week.ts';
import { chatHref } from './route.ts';

export interface WeekGroup {
  weekKey: string;
  sessions: SessionSummary[];
}

/** Newest week first; newest session first within a week. */
export function groupByIsoWeek(sessions: readonly SessionSummary[], timeZone?: string): WeekGroup[] {
  const groups = new Map<string, SessionSummary[]>();
  const sorted = [...sessions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const s of sorted) {
    const d = new Date(s.createdAt);
    const key = Number.isNaN(d.getTime()) ? 'Undated' : isoWeekKey(d, timeZone);
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  return [...groups].map(([weekKey, list]) => ({ weekKey, sessions: list }));
}

const KIND_LABEL: Record<SessionKind, string> = { plan: 'Weekly plan', review: 'Friday review' };

export function SessionsView({ api, user, onLogout }: { api: Api; user: User; onLogout: () => void }) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const thisWeek = isoWeekKey(new Date());

  const load = useCallback(async () => {
    try {
      setSessions(await api.listSessions());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your sessions.');
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  async function start(kind: SessionKind) {
    setCreating(true);
    setError(null);
    try {
      const title = kind === 'plan' ? `Plan for ${weekLabel(thisWeek)}` : `Review of ${weekLabel(thisWeek)}`;
      const s = await api.createSession({ kind, title });
      location.hash = chatHref(s.id);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not start a session.');
      setCreating(false);
    }
  }

  return (
    <main className="sessions">
      <header className="bar">
        <h1>Focus Coach</h1>
        <span className="muted small">{user.email}</span>
        <button type="button" className="secondary" onClick={onLogout}>
          Log out
        </button>
      </header>
      <div className="row actions">
        <button type="button" disabled={creating} onClick={() => void start('plan')}>
          Plan this week
        </button>
        <button type="button" disabled={creating} onClick={() => void start('review')}>
          Friday review
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {sessions === null && !error && <p className="muted" role="status">Loading sessions…</p>}
      {sessions?.length === 0 && <p className="muted">No sessions yet. Start by planning this week.</p>}
      {sessions &&
        groupByIsoWeek(sessions).map((g) => (
          <section key={g.weekKey} aria-labelledby={`wk-${g.weekKey}`}>
            <h2 id={`wk-${g.weekKey}`}>
              {g.weekKey === thisWeek ? 'This week · ' : ''}
              {weekLabel(g.weekKey)}
            </h2>
            <ul className="session-list">
              {g.sessions.map((s) => (
                <li key={s.id}>
                  <a href={chatHref(s.id)}>
                    <span className="title">{s.title || KIND_LABEL[s.kind] || 'Session'}</span>
                    <span className="muted small">
                      {KIND_LABEL[s.kind] ?? s.kind} · {new Date(s.createdAt).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </main>
  );
}
