import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, browserTimeZone, type Api, type Device, type Feed, type User } from './api.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { friendlyZoneName, knownTimeZones } from './time-zones.ts';

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

/** Account basics: time zone, calendar feeds, signed-in devices. */
export function AccountSection({ api, user, onUserChanged }: { api: Api; user: User; onUserChanged: (u: User) => void }) {
  // Feeds and devices are loaded each time the section opens, so they are current when looked at.
  const [openedTimes, setOpenedTimes] = useState(0);
  return (
    // React passes a dialog's own toggle events up the tree: only the section's own count.
    <details className="account" data-testid="account" onToggle={(e) => e.target === e.currentTarget && e.currentTarget.open && setOpenedTimes((n) => n + 1)}>
      <summary>
        <h2>Account and devices</h2>
      </summary>
      <TimeZoneSetting api={api} user={user} onUserChanged={onUserChanged} />
      {openedTimes > 0 && <FeedsSetting key={`f${openedTimes}`} api={api} timeZone={user.timeZone} />}
      {openedTimes > 0 && <DevicesSetting key={`d${openedTimes}`} api={api} timeZone={user.timeZone} />}
    </details>
  );
}

function TimeZoneSetting({ api, user, onUserChanged }: { api: Api; user: User; onUserChanged: (u: User) => void }) {
  const current = user.timeZone || 'UTC';
  const [value, setValue] = useState(current);
  const [status, setStatus] = useState<{ text: string; tone: 'ok' | 'bad' } | null>(null);
  const selectId = useId();
  const zones = useMemo(() => {
    const all = knownTimeZones();
    return all.includes(current) ? all : [current, ...all];
  }, [current]);
  const detected = browserTimeZone();

  async function save(zone: string) {
    setValue(zone);
    setStatus(null);
    try {
      onUserChanged(await api.setTimeZone(zone));
      setStatus({ text: `Saved: plans and times now use ${friendlyZoneName(zone)}.`, tone: 'ok' });
    } catch (e) {
      setValue(current);
      setStatus({ text: e instanceof ApiError ? e.message : 'Could not change the time zone.', tone: 'bad' });
    }
  }

  return (
    <section aria-labelledby={`${selectId}-h`}>
      <h3 id={`${selectId}-h`}>Time zone</h3>
      <p className="small">
        Your week is planned in <strong data-testid="current-zone">{friendlyZoneName(current)}</strong>.
      </p>
      <label htmlFor={selectId} className="small">
        Change time zone
      </label>
      <div className="row nowrap">
        <select id={selectId} value={value} onChange={(e) => void save(e.target.value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z === current || z === detected ? friendlyZoneName(z) : z.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        {detected && detected !== current && (
          <button type="button" className="secondary small-button" onClick={() => void save(detected)}>
            Use this device’s ({(detected.split('/').pop() ?? detected).replace(/_/g, ' ')})
          </button>
        )}
      </div>
      {status && (
        <p role="status" className={`small ${status.tone === 'ok' ? 'ok' : 'error'}`}>
          {status.text}
        </p>
      )}
    </section>
  );
}

function FeedsSetting({ api, timeZone }: { api: Api; timeZone?: string }) {
  const [feeds, setFeeds] = useState<Feed[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Feed | null>(null);

  const load = useCallback(async () => {
    try {
      setFeeds(await api.listFeeds());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your calendar feeds.');
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(f: Feed) {
    setRevoking(null);
    try {
      await api.revokeFeed(f.id);
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not turn that feed off.');
    }
  }

  return (
    <section aria-labelledby="feeds-h">
      <h3 id="feeds-h">Calendar feeds</h3>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      {feeds?.length === 0 && <p className="muted small">No calendar subscriptions. “Copy calendar feed URL” beside a plan makes one.</p>}
      {feeds && feeds.length > 0 && (
        <ul className="plain-list">
          {feeds.map((f) => (
            <li key={f.id} className="row">
              <span className="small">Feed made {formatDay(f.createdAt, timeZone)}</span>
              <button type="button" className="secondary small-button" onClick={() => setRevoking(f)}>
                Turn off
              </button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Turn off this calendar feed?"
        confirmLabel="Turn off"
        danger
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(null)}
      >
        <p className="small">Calendars subscribed to it stop updating and can no longer read your plan.</p>
      </ConfirmDialog>
    </section>
  );
}

/** The devices signed in to this account, each with a way to sign it out (after asking). */
function DevicesSetting({ api, timeZone }: { api: Api; timeZone?: string }) {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Device | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDevices(await api.listDevices());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your devices.');
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

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
    setConfirming(null);
    setError(null);
    try {
      await api.revokeDevice(d.id);
      setDone(`${d.deviceName || 'That device'} is signed out.`);
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not sign that device out.');
    }
  }

  return (
    <section aria-labelledby="devices-h" className="devices">
      <h3 id="devices-h">Your devices</h3>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="small ok">
          {done}
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
                <span className="muted small">Last seen {formatDay(d.lastSeenAt, timeZone)}</span>
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
                <button type="button" className="secondary small-button" onClick={() => setConfirming(d)} aria-label={`Sign out ${d.deviceName || 'this device'}`}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={confirming !== null}
        title={`Sign out ${confirming?.deviceName || 'this device'}?`}
        confirmLabel="Sign out"
        danger
        onConfirm={() => confirming && void revoke(confirming)}
        onCancel={() => setConfirming(null)}
      >
        <p className="small">It is signed out at once and told why. To use it again, sign in there or pair it from here.</p>
      </ConfirmDialog>
    </section>
  );
}
