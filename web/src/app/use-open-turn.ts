import { useEffect } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';

/**
 * First run: in an empty session the coach opens with its first question, so nobody has to
 * say hello. Asked once the replay shows the log is empty; if two devices ask at once the
 * server takes one (SL15) and refuses the other.
 */
export function useOpenTurn(client: SessionClient, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let asked = false;
    const check = () => {
      const s = client.getSnapshot();
      if (asked || s.connection.status !== 'live' || s.serverLastSeq !== 0) return;
      if (s.transcript.begun || s.transcript.messages.length > 0 || s.queued > 0) return;
      asked = client.requestTurn('open') !== null;
    };
    check();
    return client.subscribe(check);
  }, [client, enabled]);
}
