// Hash routes: "#/" (sessions) and "#/s/<id>" (a chat). Hash routing needs no server rewrite rules.

import { useEffect, useState } from 'react';

export type Route = { name: 'sessions' } | { name: 'chat'; sessionId: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/s\/([^/?#]+)$/.exec(hash);
  if (m) {
    try {
      return { name: 'chat', sessionId: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'sessions' };
    }
  }
  return { name: 'sessions' };
}

export function chatHref(sessionId: string): string {
  return `#/s/${encodeURIComponent(sessionId)}`;
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
