import { useEffect, useState } from 'react';
import { ApiError, type Api, type SessionKind } from './api.ts';
import { chatHref, navigate } from './route.ts';
import { newSessionTitle } from './SessionsView.tsx';

/** /invite/<code>, signed in: join the session, then open it. */
export function InviteView({ api, code }: { api: Api; code: string }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.redeemInvite(code).then(
      (sessionId) => live && navigate(`/${chatHref(sessionId)}`, { replace: true }),
      (e: unknown) => live && setError(e instanceof ApiError ? e.message : 'Could not join the session.'),
    );
    return () => {
      live = false;
    };
  }, [api, code]);
  return error ? (
    <div className="center">
      <p role="alert">{error}</p>
      <a href="/#/">Go to your sessions</a>
    </div>
  ) : (
    <p className="center muted" role="status">
      Joining the session…
    </p>
  );
}

/** /start/review or /start/plan (a reminder's link): a new session of that kind, opened at once. */
export function StartView({ api, kind }: { api: Api; kind: SessionKind }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.createSession({ kind, title: newSessionTitle(kind) }).then(
      (s) => live && navigate(`/${chatHref(s.id)}`, { replace: true }),
      (e: unknown) => live && setError(e instanceof ApiError ? e.message : 'Could not start a session.'),
    );
    return () => {
      live = false;
    };
  }, [api, kind]);
  return error ? (
    <div className="center">
      <p role="alert">{error}</p>
      <a href="/#/">Go to your sessions</a>
    </div>
  ) : (
    <p className="center muted" role="status">
      Starting…
    </p>
  );
}
