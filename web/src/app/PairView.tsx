import { useId, useState, type FormEvent } from 'react';
import { MAX_DEVICE_NAME_CHARS } from '../../../server/contract/limits.ts';
import { ApiError, guessDeviceName, type Api } from './api.ts';
import { formatPairingCode } from './PairDialog.tsx';
import { chatHref, navigate } from './route.ts';

/**
 * The other end of "Open on another device": /pair/<code> (from the QR code or link)
 * or /pair (type the code). Redeeming signs this device in and opens the session.
 * It asks before redeeming, so a link preview or a prefetch cannot use up the code.
 */
export function PairView({
  api,
  code: initialCode,
  onSignedIn,
  signedInAs = null,
}: {
  api: Api;
  code: string;
  onSignedIn: () => void;
  /** This device's account, when it is already signed in: the code may belong to another one. */
  signedInAs?: string | null;
}) {
  const [code, setCode] = useState(initialCode);
  const [deviceName, setDeviceName] = useState(() => guessDeviceName());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const codeId = useId();
  const nameId = useId();
  const nameHintId = useId();

  const [switchOk, setSwitchOk] = useState(false);
  const switchId = useId();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (signedInAs && !switchOk) {
      setError(`Tick the box to confirm: this device may switch from ${signedInAs} to the account that made the code.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.redeemPairing(code, deviceName);
      navigate(r.sessionId ? `/${chatHref(r.sessionId)}` : '/', { replace: true });
      onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.status === 410
            ? `${err.message}`
            : err.status === 404
              ? 'This code does not exist. Check it, or make a new one on your signed-in device.'
              : err.message
          : 'Something went wrong.',
      );
      setBusy(false);
    }
  }

  return (
    <main className="login pair">
      <h1>Continue on this device</h1>
      <p className="muted">
        You opened a pairing link from Focus Coach. Continuing signs this device in to that account and opens the conversation you were in.
      </p>
      <form onSubmit={(e) => void onSubmit(e)} aria-label="Pair this device">
        {initialCode === '' ? (
          <>
            <label htmlFor={codeId}>Pairing code</label>
            <input
              id={codeId}
              required
              autoComplete="one-time-code"
              autoCapitalize="characters"
              spellCheck={false}
              placeholder="ABCDE-12345"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </>
        ) : (
          <p className="small">
            Code <strong className="code">{formatPairingCode(initialCode)}</strong>
          </p>
        )}
        <label htmlFor={nameId}>Name this device</label>
        <input id={nameId} maxLength={MAX_DEVICE_NAME_CHARS} value={deviceName} aria-describedby={nameHintId} onChange={(e) => setDeviceName(e.target.value)} />
        <p id={nameHintId} className="muted small">
          Shown on your other devices, e.g. “Alice’s phone”.
        </p>
        {signedInAs && (
          <div className="switch-account" data-testid="switch-account">
            <p className="small">
              This device is signed in as <strong>{signedInAs}</strong>. If the code was made in another account, continuing signs you out of{' '}
              {signedInAs} here and into that account.
            </p>
            <label className="check small" htmlFor={switchId}>
              <input id={switchId} type="checkbox" checked={switchOk} onChange={(e) => setSwitchOk(e.target.checked)} /> Switch accounts if needed
            </label>
          </div>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={busy}>
            Continue on this device
          </button>
          <a href="/" className="button secondary">
            {signedInAs ? `Stay as ${signedInAs}` : 'Cancel'}
          </a>
        </div>
      </form>
    </main>
  );
}
