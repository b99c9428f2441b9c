import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, createApi, type User } from './api.ts';
import { ChatView, type SignedOutReason } from './ChatView.tsx';
import { LoginView } from './LoginView.tsx';
import { PairView } from './PairView.tsx';
import { InviteView, StartView } from './InviteView.tsx';
import { chatHref, navigate, useRoute } from './route.ts';
import { SessionsView } from './SessionsView.tsx';
import { WeekPage } from './week/WeekPage.tsx';

type Auth = { state: 'checking' } | { state: 'signed-out'; notice?: string } | { state: 'signed-in'; user: User } | { state: 'error'; message: string };

const SIGNED_OUT_NOTICE: Record<SignedOutReason, string> = {
  revoked: 'This device was signed out from another of your devices (or by logging out there). Sign in again to continue.',
  expired: 'Your sign-in has ended. Sign in again to continue.',
};

export function App() {
  const api = useMemo(() => createApi(), []);
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  const refresh = useCallback(async () => {
    try {
      const user = await api.me();
      setAuth(user ? { state: 'signed-in', user } : { state: 'signed-out' });
    } catch (e) {
      setAuth({ state: 'error', message: e instanceof ApiError ? e.message : 'Something went wrong.' });
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const logout = useCallback(async () => {
    await api.logout().catch(() => undefined);
    setAuth({ state: 'signed-out' });
    navigate('/#/', { replace: true });
  }, [api]);

  // Tell a device that was signed out from elsewhere why it is looking at the sign-in page.
  const signedOut = useCallback((reason?: SignedOutReason) => setAuth({ state: 'signed-out', notice: SIGNED_OUT_NOTICE[reason ?? 'expired'] }), []);

  // A notification opens /sessions/<id>: continue on the app's own hash route, so "← Sessions" works.
  useEffect(() => {
    if (route.name === 'chat' && location.pathname.startsWith('/sessions/')) navigate(`/${chatHref(route.sessionId)}`, { replace: true });
  }, [route]);

  // A pairing link works whether or not this device is signed in (it signs it in).
  if (route.name === 'pair') {
    return <PairView api={api} code={route.code} onSignedIn={() => void refresh()} signedInAs={auth.state === 'signed-in' ? auth.user.email : null} />;
  }

  switch (auth.state) {
    case 'checking':
      return (
        <p className="center muted" role="status">
          Loading…
        </p>
      );
    case 'error':
      return (
        <div className="center">
          <p role="alert">{auth.message}</p>
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      );
    case 'signed-out':
      return (
        <>
          {route.name === 'invite' && (
            <p className="center" role="status">
              Sign in or create an account to join the session you were invited to.
            </p>
          )}
          <LoginView api={api} notice={auth.notice} onSignedIn={() => void refresh()} />
        </>
      );
    case 'signed-in':
      if (route.name === 'week') return <WeekPage api={api} weekKey={route.weekKey} user={auth.user} onSignedOut={signedOut} />;
      if (route.name === 'invite') return <InviteView api={api} code={route.code} />;
      if (route.name === 'start') return <StartView api={api} kind={route.kind} />;
      return route.name === 'chat' ? (
        <ChatView key={route.sessionId} api={api} sessionId={route.sessionId} user={auth.user} onSignedOut={signedOut} />
      ) : (
        <SessionsView api={api} user={auth.user} onLogout={() => void logout()} onUserChanged={(user) => setAuth({ state: 'signed-in', user })} onSignedOut={signedOut} />
      );
  }
}
