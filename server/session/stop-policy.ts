// The stop policy (SL10, SL12), in one place. The memory adapter calls these functions; the
// SQL adapter passes the same constants as statement parameters and mirrors `endStatus`
// with COALESCE("stopReason", reported). test/contract/run-store.contract.ts holds both to it.
import type { EndStatus, ReportedEndStatus } from './types.ts';

export type StopReason = 'cancelled' | 'interrupted';

/** A client's cancel stops the active run as `cancelled`. */
export const STOP_ON_CANCEL: StopReason = 'cancelled';
/** A new user message while a run is active stops it as `interrupted`; the message is answered next. */
export const STOP_ON_USER_MESSAGE: StopReason = 'interrupted';

/** Only a live run can be stopped, and only once: the first stop is final. */
export function canStop(run: { ended: boolean; stopReason: StopReason | null }): boolean {
  return !run.ended && run.stopReason === null;
}

/** SL12: a recorded stop decides the end status; otherwise the run's own report does. */
export function endStatus(stopReason: StopReason | null, reported: ReportedEndStatus): EndStatus {
  return stopReason ?? reported;
}

/** The reported reason is kept only when the reported status is the end status. */
export function keepsReason(final: EndStatus, reported: ReportedEndStatus): boolean {
  return final === reported;
}
