import { useId, useState, type FormEvent } from 'react';
import { ApiError, browserTimeZone, guessDeviceName, type Api } from './api.ts';

export function LoginView({ api, onSignedIn, notice }: { api: Api; onSignedIn: () => void; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const emailId = useId();
  const passwordId = useId();

  async function run(action: 'login' | 'signup') {
    setBusy(true);
    setError(null);
    try {
      const deviceName = guessDeviceName();
      await (action === 'login' ? api.login(email, password, { deviceName }) : api.signup(email, password, { deviceName, timeZone: browserTimeZone() }));
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong.');
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void run('login');
  }

  return (
    <main className="login">
      <h1>Focus Coach</h1>
      <p className="muted">Plan your week around what matters.</p>
      {notice && (
        <p className="notice" role="alert" data-testid="signed-out-notice">
          {notice}
        </p>
      )}
      <form onSubmit={onSubmit} aria-label="Sign in">
        <label htmlFor={emailId}>Email</label>
        <input id={emailId} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor={passwordId}>Password</label>
        <input
          id={passwordId}
          type="password"
          autoComplete="current-password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={busy}>
            Log in
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={(e) => {
              const form = e.currentTarget.form;
              if (form && !form.reportValidity()) return;
              void run('signup');
            }}
          >
            Create account
          </button>
        </div>
      </form>
      <p className="muted small pair-hint">
        Signed in on another device? Open “Open on another device” there and scan the code, or <a href="/pair">enter a pairing code</a>.
      </p>
    </main>
  );
}
