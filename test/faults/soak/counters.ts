import { FAULT_KINDS, type FaultKind } from './schedule.ts';

/** What the soak did, for its report. */
export interface Counters {
  faults: Record<FaultKind, number>;
  /** Planned faults that found nothing to hit (the instance was already down, the socket not open, …). */
  skipped: Record<FaultKind, number>;
  /** Kills and SIGTERMs whose planned instance was down, applied to the next one that was up. */
  retargeted: Record<'kill' | 'sigterm', number>;
  /** Faults that started while an instance, the database or a client was still down or stalled from another. */
  overlapping: number;
  messagesOverSocket: number;
  messagesOverHttp: number;
  /** HTTP sends repeated with the same clientMessageId after an error. */
  httpRetries: number;
  /** Errors that caused those retries, by status (or "network"). */
  httpErrors: Record<string, number>;
  /** Deliberate re-posts of an acknowledged message (a client that missed the 202). */
  repeatedPosts: number;
  duplicateAcks: number;
  /** Messages sent while an answer was streaming (they interrupt it). */
  steering: number;
  cancelsOverSocket: number;
  /** Cancels the SessionClient sent over HTTP because it was not live. */
  cancelsOverClientHttp: number;
  cancelsOverHttp: number;
  /** Cancels with nothing to stop (answered no_active_run). */
  cancelsWithoutRun: number;
  /** HTTP answers that are neither success nor a retryable error: reported as violations. */
  unexpected: string[];
}

export function newCounters(): Counters {
  const zero = () => Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  return {
    faults: zero(),
    skipped: zero(),
    retargeted: { kill: 0, sigterm: 0 },
    overlapping: 0,
    messagesOverSocket: 0,
    messagesOverHttp: 0,
    httpRetries: 0,
    httpErrors: {},
    repeatedPosts: 0,
    duplicateAcks: 0,
    steering: 0,
    cancelsOverSocket: 0,
    cancelsOverClientHttp: 0,
    cancelsOverHttp: 0,
    cancelsWithoutRun: 0,
    unexpected: [],
  };
}
