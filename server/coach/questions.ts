// The offline coach's questions. Each one is rendered as the last paragraph of a reply and
// recognised again from the session log on the next turn — that round trip is what lets
// the coach run statelessly on any server instance. Keep each `sig` unique.

import type { BlockKind } from '../plan/types.ts';

export type Step =
  | { id: 'vision.work' }
  | { id: 'vision.self' }
  | { id: 'vision.relationships' }
  | { id: 'catchup' }
  | { id: 'rocks' }
  | { id: 'rocks.more' }
  | { id: 'environment' }
  | { id: 'deep_work'; rock: string }
  | { id: 'recovery' }
  | { id: 'review_offer' }
  | { id: 'review_time'; suggested: string }
  | { id: 'rocks.trim'; items: string[] }
  | {
      id: 'confirm';
      kind: BlockKind;
      rock?: string;
      slots: ProposedSlot[];
      alt?: ProposedSlot[];
      of: Step | null;
      /** The block's title when it is not the rock's ("Gym"). */
      title?: string;
      /** Offered instead of a slot that has passed: the same slots in the next week. */
      later?: ProposedSlot[];
      /** The block to move there, for a move whose time had passed. */
      move?: string;
    }
  | { id: 'when'; kind: BlockKind; title: string; of: Step | null }
  | { id: 'review.rock'; rock: string }
  | { id: 'review.challenge'; rock: string }
  | { id: 'review.went_well' }
  | { id: 'review.time' }
  | { id: 'review.drop' };

export type StepId = Step['id'];

/** A block the coach read but has not booked yet (read back first). */
export interface ProposedSlot {
  day: number;
  start: string;
  end: string;
}

const DAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const slotText = (s: ProposedSlot) => `${DAYS_SHORT[s.day]} ${s.start}–${s.end}`;
function slotList(slots: ProposedSlot[]): string {
  const items = slots.map(slotText);
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

interface QuestionDef {
  sig: RegExp;
  /** Builds the step from a signature match (for steps that name a rock). */
  from: (m: RegExpExecArray) => Step;
}

const q = (s: string) => `“${s}”`;

export function askText(step: Step): string {
  switch (step.id) {
    case 'vision.work':
      return 'A year from now, what would you celebrate at work?';
    case 'vision.self':
      return 'What would you celebrate for yourself — health, learning, rest?';
    case 'vision.relationships':
      return 'And what would you celebrate in your relationships — family, friends, community?';
    case 'catchup':
      return `Want to bring any of them into this week? Give the numbers, or say ${q('no')} for a fresh start.`;
    case 'rocks':
      return 'What are your big rocks this week — 3 to 5 things that would make it a win?';
    case 'rocks.more':
      return `Anything else that would make this week a win? Name it, or say ${q("that's all")}.`;
    case 'environment':
      return `What 1–3 changes to your environment will make focus easier? For example ${q('phone in another room, notifications off')}.`;
    case 'deep_work':
      return `When will you do deep work on ${q(step.rock)}? Give a day and time of at least 45 minutes, e.g. ${q('Tue 9-11')}.`;
    case 'recovery':
      return `When will you unplug on purpose? For example ${q('weekdays 12:30-13:00')} for a screen-free lunch, or ${q('Sat 10-18')} off.`;
    case 'review_offer':
      return 'Will you do your Friday review on Friday at 16:00?';
    case 'review_time':
      return `When do you want your Friday review (30 minutes)? ${step.suggested} is free — say ${q('yes')}, or give another time.`;
    case 'rocks.trim':
      return `Which ${step.items.length - 5 === 1 ? 'one goes' : `${step.items.length - 5} go`} — or which 5 stay? For example ${q(`drop ${step.items[step.items.length - 1]}`)}.`;
    case 'confirm':
      if (step.later && step.slots.length === 0) return `Shall I book ${slotList(step.later)} next week instead?`;
      if (step.later) return `Shall I ${step.move ? 'move it to' : 'book'} ${slotList(step.slots)} instead? Or say ${q('next week')} for ${slotList(step.later)} next week.`;
      return step.alt
        ? `Just to check: ${slotList(step.slots)} — or did you mean ${slotList(step.alt)}?`
        : `Just to check before I book it: ${slotList(step.slots)}. Shall I book it?`;
    case 'when':
      return `When is ${q(step.title)}? Give a day and time and I'll put it in as a regular block.`;
    case 'review.rock':
      return `${q(step.rock)}: done, dropped, or carry it into next week?`;
    case 'review.challenge':
      return `${q(step.rock)} has rolled over twice already. Shrink it (${q('shrink to …')}), split it (${q('split into … and …')}), or drop it?`;
    case 'review.went_well':
      return 'What went well this week?';
    case 'review.time':
      return 'Where did your time actually go, compared with the plan?';
    case 'review.drop':
      return 'What will you drop or do less of next week?';
  }
}

const fixed = (id: Exclude<StepId, 'deep_work' | 'review.rock' | 'review.challenge'>) => () => ({ id }) as Step;

// Order matters only if two signatures could match the same text; these can't.
const QUESTIONS: QuestionDef[] = [
  { sig: /what would you celebrate at work\?$/, from: fixed('vision.work') },
  { sig: /What would you celebrate for yourself/, from: fixed('vision.self') },
  { sig: /what would you celebrate in your relationships/, from: fixed('vision.relationships') },
  { sig: /bring any of them into this week\?/, from: fixed('catchup') },
  { sig: /big rocks this week/, from: fixed('rocks') },
  { sig: /Anything else that would make this week a win\?/, from: fixed('rocks.more') },
  { sig: /changes to your environment will make focus easier\?/, from: fixed('environment') },
  { sig: /When will you do deep work on “(.+?)”\?/, from: (m) => ({ id: 'deep_work', rock: m[1]! }) },
  { sig: /When will you unplug on purpose\?/, from: fixed('recovery') },
  { sig: /Will you do your Friday review on Friday/, from: fixed('review_offer') },
  { sig: /^“(.+?)”: done, dropped, or carry it into next week\?$/, from: (m) => ({ id: 'review.rock', rock: m[1]! }) },
  { sig: /^“(.+?)” has rolled over twice already\./, from: (m) => ({ id: 'review.challenge', rock: m[1]! }) },
  { sig: /^What went well this week\?$/, from: fixed('review.went_well') },
  { sig: /^Where did your time actually go, compared with the plan\?$/, from: fixed('review.time') },
  { sig: /^What will you drop or do less of next week\?$/, from: fixed('review.drop') },
];

/** The question a reply ended with, or null (e.g. a reply cut off by an interrupt). */
export function recognizeQuestion(replyText: string): Step | null {
  const paragraphs = replyText.trim().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1]?.trim() ?? '';
  for (const def of QUESTIONS) {
    const m = def.sig.exec(last);
    if (m) return def.from(m);
  }
  return null;
}

export function sameStep(a: Step | null, b: Step): boolean {
  if (!a || a.id !== b.id) return false;
  return !('rock' in a) || a.rock === (b as { rock: string }).rock;
}
