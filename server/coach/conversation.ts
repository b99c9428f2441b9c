// Reads the session log into question/answer exchanges. The log is the coach's only
// memory besides the stored plan, so a restart or another instance resumes exactly here.
//
// Each coach answer records what it did in an `assistant.meta` event (written before its
// text streams, so an answer cut off mid-sentence still says which question it asked):
// the question it ended with, which user messages it read against which question, and
// the plan changes it made (so "wait, that's wrong" can undo exactly those).

import type { BlockKind } from '../plan/types.ts';
import type { SessionKind } from '../contract/kinds.ts';
import type { SessionEvent } from '../session/types.ts';
import { recognizeQuestion, type Step } from './questions.ts';

/** The flow the coach runs for a session: `chat` sessions (and unknown kinds) run the plan flow. */
export type CoachFlow = Exclude<SessionKind, 'chat'>;

/** A non-text event a server may append when it creates a session: `{ kind: 'plan' | 'review' }`. */
export const SESSION_KIND_EVENT = 'session.kind';
/** The coach's persisted note about one answer: `{messageId, quickReplies, coach: CoachNote}`. */
export const ASSISTANT_META_EVENT = 'assistant.meta';

/** One plan change an answer made, enough to undo it ("undo", "wait that's wrong"). */
export type Change =
  /** Something created: undone by removing it. */
  | { kind: 'rock' | 'block' | 'environment'; id: string }
  | { kind: 'vision'; before: { work: string; self: string; relationships: string } | null }
  | { kind: 'rock_status'; id: string; before: string }
  | { kind: 'rock_title'; id: string; before: string }
  /** `before`: the rock's place among the active rocks (0 = first). */
  | { kind: 'rock_order'; id: string; before: number }
  | { kind: 'rock_removed'; id: string; title: string; status: string; place: number }
  /** Instants of the block before the move; `id` is the moved block's (new) id. */
  | { kind: 'block_moved'; id: string; before: { start: string; end: string } }
  | { kind: 'block_removed'; block: { kind: BlockKind; title: string; start: string; end: string; rockId: string | null } }
  | { kind: 'environment_removed'; text: string }
  | { kind: 'review'; before: { start: string; end: string } | null };

export interface CoachNote {
  /** The question the answer ended with. */
  asked: Step | null;
  /** User messages this answer read, with the question each was read against. */
  read: Array<{ seq: number; question: Step | null }>;
  changes: Change[];
  /** Set when the person switched the session to another week ("plan next week"). */
  weekKey?: string;
  /** How many times in a row the same question went unanswered. */
  misses?: number;
  /** Set when this answer put back the changes of the newest answer not yet undone. */
  undid?: boolean;
}

export interface Exchange {
  /** The question the answer replied to; null when the preceding reply was not a known question. */
  question: Step | null;
  answer: string;
  seq?: number;
}

export interface Conversation {
  /** Earlier exchanges, oldest first. */
  past: Exchange[];
  /** The messages this turn must read, oldest first (more than one when sent while the coach answered). */
  unread: Array<{ seq: number; text: string }>;
  /** The question waiting for the first unread message. */
  pending: Step | null;
  /** The message this turn answers (the first unread one, read against `pending`). */
  current: Exchange | null;
  /** The newest coach note, if any. */
  lastNote: CoachNote | null;
  /** The changes of the newest answer that changed the plan and was not undone since ("undo" after a question still works). */
  undoable: Change[];
  /** Ids of the rocks this session's answers created (rocks from an earlier session mean the week is past the vision). */
  rocksMade: string[];
  /** The week the person switched to, if they did. */
  weekKey: string | null;
  /** When the session's first user message was committed (fixes the session's week). */
  startedAt: string | null;
  firstUserText: string | null;
  kindMarker: CoachFlow | null;
}

function isNote(v: unknown): v is CoachNote {
  return typeof v === 'object' && v !== null && Array.isArray((v as CoachNote).read) && Array.isArray((v as CoachNote).changes);
}

export function readConversation(history: SessionEvent[]): Conversation {
  const events = [...history].sort((a, b) => a.seq - b.seq);
  const users: Array<{ seq: number; text: string }> = [];
  const questionOf = new Map<number, Step | null>();
  const notes = new Map<string, CoachNote>();
  const deltas = new Map<string, string>();
  let pending: Step | null = null;
  let lastNote: CoachNote | null = null;
  let weekKey: string | null = null;
  let startedAt: string | null = null;
  let firstUserText: string | null = null;
  let kindMarker: CoachFlow | null = null;
  // Answers that changed the plan, newest last; an answer that undid one takes it off.
  const undoStack: Change[][] = [];
  const rocksMade: string[] = [];
  /** Messages since the last answer that read nothing (an old log, or an answer stopped before it read). */
  let unnoted: Array<{ seq: number; text: string }> = [];

  for (const e of events) {
    switch (e.type) {
      case 'user.message': {
        const text = typeof e.data.text === 'string' ? e.data.text : '';
        if (startedAt === null) {
          startedAt = e.at;
          firstUserText = text;
        }
        users.push({ seq: e.seq, text });
        unnoted.push({ seq: e.seq, text });
        break;
      }
      case ASSISTANT_META_EVENT: {
        const note = e.data.coach;
        if (!isNote(note)) break;
        notes.set(String(e.data.messageId), note);
        for (const r of note.read) questionOf.set(r.seq, r.question);
        unnoted = unnoted.filter((u) => !questionOf.has(u.seq));
        pending = note.asked;
        lastNote = note;
        if (note.undid) undoStack.pop();
        if (note.changes.length) undoStack.push(note.changes);
        for (const ch of note.changes) if (ch.kind === 'rock') rocksMade.push(ch.id);
        if (typeof note.weekKey === 'string') weekKey = note.weekKey;
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
        if (notes.has(id)) break;
        // A log without notes (older sessions): the question is recognised from the text, and
        // everything before a finished answer counts as read by it.
        const text = typeof e.data.text === 'string' ? e.data.text : (deltas.get(id) ?? '');
        if (e.data.status === 'complete') {
          const q = recognizeQuestion(text);
          for (const u of unnoted) if (!questionOf.has(u.seq)) questionOf.set(u.seq, pending);
          unnoted = [];
          pending = q;
        }
        break;
      }
      case SESSION_KIND_EVENT:
        if (e.data.kind === 'plan' || e.data.kind === 'review') kindMarker = e.data.kind;
        break;
    }
  }
  const past: Exchange[] = users.filter((u) => questionOf.has(u.seq)).map((u) => ({ question: questionOf.get(u.seq) ?? null, answer: u.text, seq: u.seq }));
  const unread = users.filter((u) => !questionOf.has(u.seq));
  const current = unread.length > 0 ? { question: pending, answer: unread[0]!.text, seq: unread[0]!.seq } : null;
  return { past, unread, pending, current, lastNote, undoable: undoStack.at(-1) ?? [], rocksMade, weekKey, startedAt, firstUserText, kindMarker };
}
