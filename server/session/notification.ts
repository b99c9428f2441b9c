import type { LogNotification } from './types.ts';

// Pointer payloads (SL8). Ids are UUIDs, so a payload is < 100 bytes — far under 8000.
//   e:<sessionId>:<seq>   events committed up to seq
//   s:<runId>             a stop (cancel or interrupt) was recorded for this run
//   r:<sessionId>         the session's active run ended; a waiting turn may claim
//   d:<sessionId>         the session was deleted (SL16): close its sockets
export function decodeNotification(payload: string): LogNotification | undefined {
  const kind = payload.slice(0, 2);
  const rest = payload.slice(2);
  if (kind === 'e:') {
    const i = rest.lastIndexOf(':');
    const seq = Number(rest.slice(i + 1));
    if (i <= 0 || !Number.isInteger(seq)) return undefined;
    return { kind: 'events', sessionId: rest.slice(0, i), seq };
  }
  if (kind === 's:' && rest) return { kind: 'stop', runId: rest };
  if (kind === 'r:' && rest) return { kind: 'run_ended', sessionId: rest };
  if (kind === 'd:' && rest) return { kind: 'session_deleted', sessionId: rest };
  return undefined;
}
