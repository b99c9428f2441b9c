// The connection badge's words, from the client's state.

import { CLOSE_NOT_FOUND, CLOSE_SIGNED_OUT } from '../../../server/contract/close-codes.ts';
import type { ConnectionState } from '../session-client/session-client.ts';

export type BadgeTone = 'ok' | 'busy' | 'bad';

/** `queued` is not shown: "messages will send when you're back" says it without jargon (the banner). */
export function connectionLabel(c: ConnectionState, _queued = 0): { text: string; tone: BadgeTone } {
  switch (c.status) {
    case 'live':
      return { text: 'Live', tone: 'ok' };
    case 'idle':
    case 'connecting':
      return { text: 'Connecting…', tone: 'busy' };
    case 'reconnecting':
      return { text: 'Reconnecting…', tone: 'busy' };
    case 'offline':
      return { text: 'Offline', tone: 'bad' };
    case 'denied':
      return { text: c.code === CLOSE_SIGNED_OUT ? 'Signed out' : c.code === CLOSE_NOT_FOUND ? 'Deleted' : 'Not found', tone: 'bad' };
    case 'closed':
      return { text: 'Closed', tone: 'bad' };
  }
}
