import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Api, type Device, type SessionKind, type SessionSummary, type User } from './api.ts';
import { NotificationsSection } from './Notifications.tsx';
import { isoWeekKey, weekLabel } from './iso-week.ts';
import { chatHref } from './route.ts';

export interface WeekGroup {
  weekKey: string;
  sessions: SessionSummary[];
}

/**
 * Sessions under the ISO week they plan or review (their weekKey once the coach has set
 * it), else the week they were started in. Newest week first; newest session first within a week.
 */
export function groupByIsoWeek(sessions: readonly SessionSummary[], timeZone?: string): WeekGroup[] {
  const groups = new Map<string, SessionSummary[]>();
  const sorted = [...sessions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const s of sorted) {
    const d = new Date(s.createdAt);
    const key = s.weekKey || (Number.isNaN(d.getTime()) ? 'Undated' : isoWeekKey(d, timeZone));
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  return [...groups].sort((a, b) => (a[0] === 'Undated' ? 1 : b[0] === 'Undated' ? -1 : b[0].localeCompare(a[0]))).map(([weekKey, list]) => ({ weekKey, sessions: list }));
}

const KIND_LABEL = { plan: 'Weekly plan', review: 'Friday review', chat: 'Chat' } as const;

/** The title a new session gets; the list shows it under its week with the day it was started. */
export function newSessionTitle(kind: SessionKind): string {
  return KIND_LABEL[kind];
}

export function SessionsView({ api, user, onLogout }: { api: Api; user: User; onLogout: () => void }) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const timeZone = user.timeZone || undefined;
  const thisWeek = safeWeekKey(new Date(), timeZone);

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
      const s = await api.createSession({ kind, title: newSessionTitle(kind) });
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
        <button type="button" className="secondary" disabled={creating} onClick={() => void start('review')}>
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
        groupByIsoWeek(sessions, timeZone).map((g) => (
          <section key={g.weekKey} aria-labelledby={`wk-${g.weekKey}`}>
            <h2 id={`wk-${g.weekKey}`}>
              {g.weekKey === thisWeek ? 'This week · ' : ''}
              {g.weekKey === 'Undated' ? 'Undated' : weekLabel(g.weekKey)}
            </h2>
            <ul className="session-list">
              {g.sessions.map((s) => (
                <li key={s.id}>
                  <a href={chatHref(s.id)}>
                    <span className="title">
                      {s.title || KIND_LABEL[s.kind] || 'Session'}
                      {s.shared && <span className="badge"> Shared with you</span>}
                    </span>
                    <span className="muted small">
                      {s.title && s.title !== KIND_LABEL[s.kind] ? `${KIND_LABEL[s.kind] ?? s.kind} · ` : ''}Started {formatDay(s.createdAt, timeZone)}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ))}
      <NotificationsSection api={api} />
      <DevicesSection api={api} />
    </main>
  );
}

function safeWeekKey(d: Date, timeZone?: string): string {
  try {
    return isoWeekKey(d, timeZone);
  } catch {
    return isoWeekKey(d);
  }
}

function formatDay(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return d.toLocaleString(undefined, { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  } catch {
    return d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  }
}

/** The devices signed in to this account, each with a way to sign it out. Loaded when opened. */
function DevicesSection({ api }: { api: Api }) {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState(false);

  const load = useCallback(async () => {
    try {
      setDevices(await api.listDevices());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? 'This server does not list devices yet.' : e instanceof ApiError ? e.message : 'Could not load your devices.');
    }
  }, [api]);

  useEffect(() => {
    if (opened) void load();
  }, [opened, load]);

  async function unsubscribe(id: string) {
    setError(null);
    try {
      await api.removePushSubscription(id);
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not turn notifications off.');
    }
  }

  async function revoke(d: Device) {
    setError(null);
    try {
      await api.revokeDevice(d.id);
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not sign that device out.');
    }
  }

  return (
    <details className="devices" onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary>
        <h2>Your devices</h2>
      </summary>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      {!devices && !error && (
        <p className="muted small" role="status">
          Loading…
        </p>
      )}
      {devices && (
        <ul className="session-list">
          {devices.map((d) => (
            <li key={d.id} className="device">
              <span>
                <span className="title">{d.deviceName || 'Unnamed device'}</span>
                {d.current && <span className="muted small"> · this device</span>}
                <br />
                <span className="muted small">Last seen {formatDay(d.lastSeenAt)}</span>
                {(d.pushSubscriptions ?? []).map((p) => (
                  <span key={p.id} className="muted small push-sub">
                    <br />
                    Notifications on ·{' '}
                    <button type="button" className="link small" onClick={() => void unsubscribe(p.id)} aria-label={`Turn off notifications on ${d.deviceName || 'this device'}`}>
                      Turn off
                    </button>
                  </span>
                ))}
              </span>
              {!d.current && (
                <button type="button" className="secondary small-button" onClick={() => void revoke(d)} aria-label={`Sign out ${d.deviceName || 'this device'}`}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
