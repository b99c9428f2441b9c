// Thin React bindings over SessionClient. All state lives in the client; these only subscribe.

import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { SessionClient, type SessionClientOptions, type SessionSnapshot } from './session-client.ts';
import type { TranscriptMessage } from './transcript.ts';

/** The whole snapshot: re-renders on every change, including each streamed delta. */
export function useSession(client: SessionClient): SessionSnapshot {
  return useSyncExternalStore(client.subscribe, client.getSnapshot, client.getSnapshot);
}

/**
 * A slice of the snapshot; re-renders only when the selected value changes by identity
 * (e.g. `s => s.transcript.messageIds` does not change while text streams). The selector
 * must return a stored value or a primitive, not a new object per call.
 */
export function useSessionSelector<T>(client: SessionClient, select: (s: SessionSnapshot) => T): T {
  const selectRef = useRef(select);
  selectRef.current = select;
  const getSelected = useCallback(() => selectRef.current(client.getSnapshot()), [client]);
  return useSyncExternalStore(client.subscribe, getSelected, getSelected);
}

/** One message; re-renders only when that message changes. */
export function useMessage(client: SessionClient, messageId: string): TranscriptMessage | undefined {
  const subscribe = useCallback((l: () => void) => client.subscribeMessage(messageId, l), [client, messageId]);
  const get = useCallback(() => client.getMessage(messageId), [client, messageId]);
  return useSyncExternalStore(subscribe, get, get);
}

/**
 * Creates, connects and disposes a SessionClient for `sessionId` (null until the effect ran).
 * Creating it inside the effect keeps StrictMode's mount–unmount–mount from reusing a disposed client.
 */
export function useSessionClient(
  sessionId: string,
  options?: Omit<SessionClientOptions, 'sessionId'>,
): SessionClient | null {
  const [client, setClient] = useState<SessionClient | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  useEffect(() => {
    const c = new SessionClient({ ...optionsRef.current, sessionId });
    c.connect();
    setClient(c);
    return () => {
      c.dispose();
      setClient((cur) => (cur === c ? null : cur));
    };
  }, [sessionId]);
  return client;
}
