// Open Durable Streams live reads (long-poll and SSE), tracked like session sockets so that
// signing a device out or revoking an API key ends its reads at once, not when they time out.

import type { LiveReadEnd } from '../ds/read-routes.ts';

/** Who holds a live read: a cookie login, or an API key. */
export interface ReaderIdentity {
  userId: string;
  /** Set for reads of a session stream: removing the reader from the session ends them. */
  sessionId?: string;
  loginId?: string;
  keyId?: string;
}

interface Reader extends ReaderIdentity {
  end: (why: LiveReadEnd) => void;
}

export class LiveReaders {
  private readonly readers = new Set<Reader>();

  /** Registers a live read; `end` stops it. Returns the unregister function. */
  add(who: ReaderIdentity, end: (why: LiveReadEnd) => void): () => void {
    const reader: Reader = { ...who, end };
    this.readers.add(reader);
    return () => {
      this.readers.delete(reader);
    };
  }

  get size(): number {
    return this.readers.size;
  }

  loginIds(): string[] {
    return [...new Set([...this.readers].flatMap((r) => (r.loginId ? [r.loginId] : [])))];
  }

  keyIds(): string[] {
    return [...new Set([...this.readers].flatMap((r) => (r.keyId ? [r.keyId] : [])))];
  }

  endLogins(loginIds: Iterable<string>): number {
    const ids = new Set(loginIds);
    return this.endWhere((r) => r.loginId !== undefined && ids.has(r.loginId), 'revoked');
  }

  endKeys(keyIds: Iterable<string>): number {
    const ids = new Set(keyIds);
    return this.endWhere((r) => r.keyId !== undefined && ids.has(r.keyId), 'revoked');
  }

  /** The session's reads (of one user, if given): the session was deleted or the user removed from it. */
  endSession(sessionId: string, userId?: string): number {
    return this.endWhere((r) => r.sessionId === sessionId && (userId === undefined || r.userId === userId), 'removed');
  }

  private endWhere(match: (r: Reader) => boolean, why: LiveReadEnd): number {
    let n = 0;
    for (const r of [...this.readers]) {
      if (!match(r)) continue;
      this.readers.delete(r);
      r.end(why);
      n++;
    }
    return n;
  }
}
