// The connection badge's words, from the client's state.

import type { ConnectionState } from '../session-client/session-client.ts';

export type BadgeTone = 'ok' | 'busy' | 'bad';

export function connectionLabel(c: ConnectionState, queued: number): { text: string; tone: BadgeTone } {
  switch (c.status) {
    case 'live':
      return { text: 'Live', tone: 'ok' };
    case 'idle':
    case 'connecting':
      return { text: 'Connecting…', tone: 'busy' };
    case 'reconnecting':
      return { text: `Reconnecting (attempt ${c.attempt})`, tone: 'busy' };
    case 'offline':
      return { text: `Offline — ${queued} queued`, tone: 'bad' };
    case 'denied':
      return { text: c.code === 4401 ? 'Signed out' : 'Not found', tone: 'bad' };
    case 'closed':
      return { text: 'Closed', tone: 'bad' };
  }
}
