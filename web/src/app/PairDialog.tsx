import { useEffect, useId, useRef, useState } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import { ApiError, type Api, type Pairing } from './api.ts';
import { copyText } from './clipboard.ts';
import { prefersTouchInput } from './input-mode.ts';
import { parsePresence } from './presence.ts';

/** How long "Your phone is connected" shows before the dialog closes itself. */
export const CONNECTED_CLOSE_MS = 2_500;

type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; pairing: Pairing } | { kind: 'error'; message: string };

/** "ABCDE12345" → "ABCDE-12345", easier to read out and type. */
export function formatPairingCode(code: string): string {
  return code.length === 10 ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}

/** "9:41" left until `expiresAt`, or null once expired. */
export function timeLeft(expiresAt: string, now: number): string | null {
  const ms = Date.parse(expiresAt) - now;
  if (!(ms > 0)) return null;
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The devices that joined the session since `before` (a set of presence deviceIds): the
 * paired device opens the conversation, so it shows up in presence.
 */
export function newlyJoined(before: ReadonlySet<string>, raw: Record<string, unknown> | null): { deviceId: string; label: string } | null {
  const p = parsePresence(raw);
  if (!p) return null;
  return p.devices.find((d) => d.deviceId !== p.you && !before.has(d.deviceId)) ?? null;
}

/** "Open on another device": a one-time link and QR code that open this session elsewhere. */
export function PairButton({ api, sessionId, client }: { api: Api; sessionId: string; client?: SessionClient | null }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [touch] = useState(() => prefersTouchInput());
  const [joined, setJoined] = useState<string | null>(null);
  const present = useRef<Set<string>>(new Set());
  const [now, setNow] = useState(() => Date.now());
  const [copied, setCopied] = useState('');
  const titleId = useId();
  const linkId = useId();
  const open = state.kind !== 'idle';

  async function create() {
    setState({ kind: 'loading' });
    setCopied('');
    setJoined(null);
    // Devices already here do not count as "connected" by this code.
    const p = parsePresence(client?.getSnapshot().presence ?? null);
    present.current = new Set(p?.devices.map((d) => d.deviceId) ?? []);
    try {
      const pairing = await api.createPairing(sessionId);
      setNow(Date.now());
      setState({ kind: 'ready', pairing });
    } catch (e) {
      setState({ kind: 'error', message: e instanceof ApiError ? e.message : 'Could not make a pairing code.' });
    }
  }

  function show() {
    dialog.current?.showModal();
    void create();
  }

  // The countdown ticks only while the dialog shows a code.
  useEffect(() => {
    if (state.kind !== 'ready') return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [state.kind]);

  // The other device opened the conversation: say so, then close.
  useEffect(() => {
    if (state.kind !== 'ready' || !client || joined) return;
    const check = () => {
      const d = newlyJoined(present.current, client.getSnapshot().presence);
      if (d) setJoined(d.label);
    };
    check();
    return client.subscribe(check);
  }, [state.kind, client, joined]);
  useEffect(() => {
    if (!joined) return;
    const t = setTimeout(() => dialog.current?.close(), CONNECTED_CLOSE_MS);
    return () => clearTimeout(t);
  }, [joined]);

  const left = state.kind === 'ready' ? timeLeft(state.pairing.expiresAt, now) : null;
  const qrSrc = state.kind === 'ready' ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(state.pairing.qrSvg)}` : '';

  return (
    <>
      <button type="button" className="secondary pair-button" onClick={show} aria-haspopup="dialog" aria-expanded={open} aria-label="Open on another device">
        <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" className="icon">
          <rect x="7" y="2" width="10" height="20" rx="2" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M11 18h2" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <span className="pair-label">
          <span className="wide-only">Open on another device</span>
          <span className="narrow-only" aria-hidden="true">
            Other device
          </span>
        </span>
      </button>
      <dialog ref={dialog} className="pair-dialog" aria-labelledby={titleId} onClose={() => setState({ kind: 'idle' })}>
        <h2 id={titleId}>Open on another device</h2>
        {joined ? (
          <p className="pair-connected" role="status" data-testid="pair-connected">
            <span aria-hidden="true">✓ </span>
            {touch ? 'Your other device is connected' : 'Your phone is connected'}
            {joined ? <span className="muted small"> ({joined})</span> : null}
          </p>
        ) : (
          <p className="muted small">
            {touch
              ? 'Scan the code with the other device’s camera, or open the link there.'
              : 'Scan the code with your phone’s camera, or open the link on the other device.'}{' '}
            It signs that device in to your account and opens this conversation. The code works once.
          </p>
        )}
        <div className="pair-body" aria-busy={state.kind === 'loading'} hidden={joined !== null}>
          {state.kind === 'loading' && <div className="qr placeholder" role="status">Making a code…</div>}
          {state.kind === 'error' && (
            <p role="alert" className="error">
              {state.message}
            </p>
          )}
          {state.kind === 'ready' && (
            <>
              <img className={`qr${left ? '' : ' expired'}`} src={qrSrc} width={208} height={208} alt={`QR code for ${state.pairing.url}`} />
              <div className="pair-details">
                <label htmlFor={linkId} className="small">
                  Link
                </label>
                <div className="row nowrap">
                  <input id={linkId} readOnly value={state.pairing.url} onFocus={(e) => e.currentTarget.select()} data-testid="pair-link" />
                  <button
                    type="button"
                    className="secondary small-button"
                    onClick={() => void copyText(state.pairing.url).then((ok) => setCopied(ok ? 'Link copied' : 'Select the link and copy it'))}
                  >
                    Copy link
                  </button>
                </div>
                <p className="small">
                  Or go to <strong>{new URL(state.pairing.url).host}/pair</strong> and enter{' '}
                  <strong className="code" data-testid="pair-code">
                    {formatPairingCode(state.pairing.code)}
                  </strong>
                </p>
                <p className="small muted" role="status">
                  {copied || (left ? `Expires in ${left}` : 'This code has expired.')}
                </p>
              </div>
            </>
          )}
        </div>
        <div className="row end">
          {(state.kind === 'error' || (state.kind === 'ready' && !left)) && (
            <button type="button" className="secondary" onClick={() => void create()}>
              Make a new code
            </button>
          )}
          <button type="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
