// Reads the session log into question/answer exchanges. The log is the coach's only
// memory besides the stored plan, so a restart or another instance resumes exactly here.

import type { SessionKind } from '../contract/kinds.ts';
import type { SessionEvent } from '../session/types.ts';
import { recognizeQuestion, type Step } from './questions.ts';

/** The flow the coach runs for a session: `chat` sessions (and unknown kinds) run the plan flow. */
export type CoachFlow = Exclude<SessionKind, 'chat'>;

/** A non-text event a server may append when it creates a session: `{ kind: 'plan' | 'review' }`. */
export const SESSION_KIND_EVENT = 'session.kind';

export interface Exchange {
  /** The question the answer replied to; null when the preceding reply was not a known question. */
  question: Step | null;
  answer: string;
}

export interface Conversation {
  /** Earlier exchanges, oldest first. */
  past: Exchange[];
  /** The message this turn answers. */
  current: Exchange | null;
  /** When the session's first user message was committed (fixes the session's week). */
  startedAt: string | null;
  firstUserText: string | null;
  kindMarker: CoachFlow | null;
}

export function readConversation(history: SessionEvent[]): Conversation {
  const exchanges: Exchange[] = [];
  const deltas = new Map<string, string>();
  let lastReply = '';
  let pending: Exchange | null = null;
  let startedAt: string | null = null;
  let firstUserText: string | null = null;
  let kindMarker: CoachFlow | null = null;

  for (const e of [...history].sort((a, b) => a.seq - b.seq)) {
    switch (e.type) {
      case 'user.message': {
        const text = typeof e.data.text === 'string' ? e.data.text : '';
        if (startedAt === null) {
          startedAt = e.at;
          firstUserText = text;
        }
        // Messages sent before the coach replied are one answer (only the newest gets a run).
        if (pending) pending.answer = `${pending.answer}\n${text}`;
        else {
          pending = { question: recognizeQuestion(lastReply), answer: text };
          exchanges.push(pending);
        }
        break;
      }
      case 'assistant.start':
        deltas.set(String(e.data.messageId), '');
        break;
      case 'assistant.delta': {
        const id = String(e.data.messageId);
        deltas.set(id, (deltas.get(id) ?? '') + String(e.data.text ?? ''));
        break;
      }
      case 'assistant.end': {
        const id = String(e.data.messageId);
        lastReply = typeof e.data.text === 'string' ? e.data.text : (deltas.get(id) ?? '');
        pending = null;
        break;
      }
      case SESSION_KIND_EVENT:
        if (e.data.kind === 'plan' || e.data.kind === 'review') kindMarker = e.data.kind;
        break;
    }
  }
  const current = exchanges.length > 0 && exchanges[exchanges.length - 1] === pending ? exchanges.pop()! : null;
  return { past: exchanges, current, startedAt, firstUserText, kindMarker };
}
