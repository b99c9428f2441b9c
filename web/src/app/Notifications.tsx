import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Api, type Reminders, type WeeklyTime } from './api.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The browser can do Web Push here (a secure context with service workers and PushManager). */
export function pushSupported(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/**
 * Opt in on this device. Called from a click: the browser asks for permission only now,
 * after the person chose to, never on page load.
 */
export async function enablePush(api: Api): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications are blocked for this site. Allow them in the browser’s site settings.');
  const registration = await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  const publicKey = await api.vapidPublicKey();
  const existing = await registration.pushManager.getSubscription();
  const sub = existing ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await api.addPushSubscription(sub.toJSON());
}

function WeeklyPicker({ label, value, onChange }: { label: string; value: WeeklyTime | null; onChange: (v: WeeklyTime | null) => void }) {
  const day = value ? (typeof value.weekday === 'number' ? value.weekday % 7 : Math.max(0, DAYS.findIndex((d) => d.toLowerCase().startsWith(String(value.weekday).toLowerCase().slice(0, 3))))) : 5;
  return (
    <fieldset className="reminder">
      <legend>
        <label>
          <input type="checkbox" checked={value !== null} onChange={(e) => onChange(e.currentTarget.checked ? { weekday: day, time: value?.time ?? '17:00' } : null)} /> {label}
        </label>
      </legend>
      {value && (
        <div className="row">
          <select aria-label={`${label}: day`} value={day} onChange={(e) => onChange({ ...value, weekday: Number(e.currentTarget.value) })}>
            {DAYS.map((d, i) => (
              <option key={d} value={i}>
                {d}
              </option>
            ))}
          </select>
          <input type="time" aria-label={`${label}: time`} value={value.time} onChange={(e) => onChange({ ...value, time: e.currentTarget.value })} required />
        </div>
      )}
    </fieldset>
  );
}

/** Push opt-in for this device, "Send a test", and the weekly reminders. Loaded when opened. */
export function NotificationsSection({ api }: { api: Api }) {
  const [opened, setOpened] = useState(false);
  const [reminders, setReminders] = useState<Reminders | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const supported = pushSupported();

  const load = useCallback(async () => {
    try {
      setReminders(await api.getReminders());
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your reminders.');
    }
  }, [api]);

  useEffect(() => {
    if (opened) void load();
  }, [opened, load]);

  async function run(f: () => Promise<void>, done: string) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await f();
      setStatus(done);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="devices notifications" onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary>
        <h2>Notifications and reminders</h2>
      </summary>
      {supported ? (
        <div className="row">
          <button type="button" disabled={busy} onClick={() => void run(() => enablePush(api), 'Notifications are on for this device.')}>
            Turn on notifications on this device
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void run(() => api.sendTestPush(), 'A test notification is on its way.')}>
            Send a test
          </button>
        </div>
      ) : (
        <p className="muted small">This browser cannot receive notifications here (it needs https and a browser with Web Push).</p>
      )}
      {reminders && (
        <form
          className="reminders"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              setReminders(await api.setReminders({ review: reminders.review, planning: reminders.planning, quietHours: reminders.quietHours }));
            }, 'Reminders saved.');
          }}
        >
          <WeeklyPicker label="Weekly review" value={reminders.review} onChange={(review) => setReminders({ ...reminders, review })} />
          <WeeklyPicker label="Planning nudge" value={reminders.planning} onChange={(planning) => setReminders({ ...reminders, planning })} />
          <fieldset className="reminder">
            <legend>
              <label>
                <input
                  type="checkbox"
                  checked={reminders.quietHours !== null}
                  onChange={(e) => setReminders({ ...reminders, quietHours: e.currentTarget.checked ? { from: '22:00', to: '07:00' } : null })}
                />{' '}
                Quiet hours
              </label>
            </legend>
            {reminders.quietHours && (
              <div className="row">
                <input type="time" aria-label="Quiet from" value={reminders.quietHours.from} onChange={(e) => setReminders({ ...reminders, quietHours: { ...reminders.quietHours!, from: e.currentTarget.value } })} />
                <span>to</span>
                <input type="time" aria-label="Quiet until" value={reminders.quietHours.to} onChange={(e) => setReminders({ ...reminders, quietHours: { ...reminders.quietHours!, to: e.currentTarget.value } })} />
              </div>
            )}
          </fieldset>
          <p className="muted small">Times are in {reminders.timeZone ?? 'your time zone'}.</p>
          <button type="submit" disabled={busy}>
            Save reminders
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      <p className="small muted" role="status">
        {status}
      </p>
    </details>
  );
}
