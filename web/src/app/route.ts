// Routes. The app's own screens use hash routes — "#/" (sessions) and "#/s/<id>" (a chat) —
// which need no server rewrite rules. The pairing link is a path, "/pair/<code>", because it
// is printed in a QR code and typed by people; the server answers every non-API GET with the
// app shell, so it lands here too.

import { useEffect, useState } from 'react';

export type Route =
  | { name: 'sessions' }
  | { name: 'chat'; sessionId: string }
  /** `code` is '' when the user is to type it. */
  | { name: 'pair'; code: string }
  /** The week page, "/weeks/2026-W48" (a path, so it can be bookmarked and shared between devices). */
  | { name: 'week'; weekKey: string }
  /** A partner's invite link: /invite/<code>. */
  | { name: 'invite'; code: string }
  /** A reminder's link: start a review or plan session now. */
  | { name: 'start'; kind: 'review' | 'plan' };

const ROUTE_CHANGE = 'focus-coach:route';

export function parseRoute(hash: string, pathname = '/'): Route {
  const p = /^\/pair(?:\/([^/?#]*))?\/?$/.exec(pathname);
  if (p) return { name: 'pair', code: safeDecode(p[1] ?? '') ?? '' };
  const w = /^\/weeks\/(\d{4}-W\d{2})\/?$/.exec(pathname);
  if (w && (hash === '' || hash === '#')) return { name: 'week', weekKey: w[1]! };
  const inv = /^\/invite\/([^/?#]+)\/?$/.exec(pathname);
  if (inv) return { name: 'invite', code: safeDecode(inv[1] ?? '') ?? '' };
  const start = /^\/start\/(review|plan)\/?$/.exec(pathname);
  if (start) return { name: 'start', kind: start[1] === 'review' ? 'review' : 'plan' };
  // A notification's link: /sessions/<id> opens that session.
  const s = /^\/sessions\/([^/?#]+)\/?$/.exec(pathname);
  if (s) {
    const id = safeDecode(s[1] ?? '');
    if (id !== null) return { name: 'chat', sessionId: id };
  }
  const m = /^#\/s\/([^/?#]+)$/.exec(hash);
  if (m) {
    const id = safeDecode(m[1]!);
    return id === null ? { name: 'sessions' } : { name: 'chat', sessionId: id };
  }
  return { name: 'sessions' };
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function chatHref(sessionId: string): string {
  return `#/s/${encodeURIComponent(sessionId)}`;
}

export function weekPath(weekKey: string): string {
  return `/weeks/${encodeURIComponent(weekKey)}`;
}

export function pairPath(code: string): string {
  return `/pair/${encodeURIComponent(code)}`;
}

/** Replaces the current location with an app URL ("/#/s/<id>", "/pair") and re-renders the route. */
export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new Event(ROUTE_CHANGE));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash, location.pathname));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash, location.pathname));
    addEventListener('hashchange', onChange);
    addEventListener('popstate', onChange);
    addEventListener(ROUTE_CHANGE, onChange);
    return () => {
      removeEventListener('hashchange', onChange);
      removeEventListener('popstate', onChange);
      removeEventListener(ROUTE_CHANGE, onChange);
    };
  }, []);
  return route;
}
