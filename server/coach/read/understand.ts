// Understanding, separate from the dialogue: one message + the pending question + today →
// a reading with an intent and entities. Pure: no store, no clock, no I/O. The dialogue
// policy (plan-flow.ts) decides what to do with a reading.

import type { BlockKind, Vision } from '../../plan/types.ts';
import { dayOfWord, daysIn, mentionsTime, readTimeSlots, type TimeReading } from './time.ts';

export type Intent =
  | 'answer'
  | 'question'
  | 'skip'
  | 'no'
  | 'yes'
  | 'back'
  | 'correction'
  | 'edit'
  | 'week'
  | 'chitchat'
  | 'other_language';

export type PlanPart = 'plan' | 'rocks' | 'blocks' | 'review' | 'environment' | 'vision';

export type FocusTopic = 'rock' | 'focus' | 'unplug' | 'deep_work' | 'minutes' | 'environment' | 'vision' | 'review' | 'sand' | 'recovery' | 'why' | 'general';

export type EditCommand =
  | { op: 'move_block'; target: string; to: string }
  | { op: 'delete_block'; target: string }
  /** Two blocks trade places ("swap the tue and wed blocks"). */
  | { op: 'swap_blocks'; targets: [string, string] }
  /** A new length: an end time ("to 12"), a length in minutes ("to 45 min") or a change ("by 30 min"). */
  | { op: 'resize_block'; target: string; end?: string; minutes?: number; by?: number }
  /** The same block earlier or later the same day ("1 hour later"): minutes, negative = earlier. */
  | { op: 'shift_block'; target: string; minutes: number }
  | { op: 'add_block'; kind: BlockKind; what: string; when: string }
  | { op: 'drop_rocks'; names: string[] }
  | { op: 'done_rocks'; names: string[] }
  | { op: 'reopen_rocks'; names: string[] }
  | { op: 'rename_rock'; name: string; to: string }
  | { op: 'add_rocks'; titles: string[] }
  | { op: 'reorder_rock'; name: string; to: RockPlace }
  | { op: 'swap_rocks'; names: [string, string] }
  | { op: 'order_rocks'; names: string[] }
  | { op: 'review_time'; when: string }
  | { op: 'add_environment'; items: string[] }
  | { op: 'remove_environment'; name: string }
  | { op: 'replace_environment'; name: string; to: string }
  | { op: 'vision'; vision: Partial<Vision> };

export interface ReadingContext {
  /** The id of the question waiting for an answer, or null. */
  pending: string | null;
  /** Today, 0 = Monday, in the person's zone (only meaningful inside the planned week). */
  today?: number;
  rockTitles: string[];
  /** The week's environment changes, to tell "remove the slack rule" from dropping a rock. */
  environment?: string[];
}

export interface Reading {
  intent: Intent;
  /** The message with filler removed. */
  text: string;
  topic?: FocusTopic;
  /** A question about the person's own plan ("what are my rocks?", "when is my review?"), not about FOCUS. */
  mine?: PlanPart;
  week?: 'next' | 'this';
  edit?: EditCommand;
  /** Vision parts found anywhere in the message. */
  vision: Partial<Vision>;
  slots: TimeReading;
}

export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

const strip = (t: string) => t.replace(/[!.?,;:\s]+$/g, '').replace(/^[\s,;:]+/, '');

// ------------------------------------------------------------------ other languages

const FOREIGN_WORDS =
  /\b(ich|und|nicht|bitte|uhr|bis|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|woche|überspringen|ueberspringen|nächste|danke|hallo|ja|nein|je|suis|semaine|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|oui|merci|bonjour|sauter|passer|hola|semana|lunes|martes|miércoles|jueves|viernes|sábado|domingo|gracias|quiero|por favor|saltar|settimana|lunedì|grazie|vorrei|luni|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|graag|bedankt)\b/giu;

/** True when the message is mostly not English. */
export function isOtherLanguage(text: string): boolean {
  const t = text.toLowerCase();
  if (/[äöüßéèêàçñ¿¡]/.test(t) && !/\b(the|and|my|i|is|to)\b/.test(t)) return true;
  const words = t.split(/[^\p{L}]+/u).filter(Boolean);
  if (words.length === 0) return false;
  const foreign = (t.match(FOREIGN_WORDS) ?? []).length;
  // Another script (Cyrillic, Greek, CJK, Arabic …); emoji and punctuation don't count.
  if (/[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Devanagari}\p{Script=Thai}]/u.test(t)) return true;
  return foreign >= 1 && foreign / words.length >= 0.25;
}

// ------------------------------------------------------------------ small answers

const SKIP_RE =
  /^(skip|skip (it|this|that|this one|for now)|pass|later|not now|not this week|next( question)?|next time|let'?s skip|idk|i ?d ?k|i don'?t know|dont know|dunno|no idea|not sure|unsure|no clue|can'?t think of (any|anything)|nothing comes to mind|move on|whatever|rather not( say)?|i'?ll think about it|no comment)\b/;
const NO_RE = /^(no|n|nope|nah|no thanks|not really|none|nothing( else)?|that'?s (all|it|enough|everything)|i'?m good|all good|we'?re good|done|enough|no more|that will do|that'?ll do|nothing more|that'?s fine as is|thats all|nop)\b/;
const YES_RE = /^(yes|y|ya|yeah|yea|yep|yup|sure|ok|okay|k|kk|please|sounds good|absolutely|definitely|of course|let'?s( do it| go)?|go ahead|do it|great|perfect|good|correct|right|exactly|that'?s right|fine|alright|book it|yes,? book it|works|works for me|sgtm|lgtm|cool)\b/;
const BACK_RE = /^(?:(?:ok|oops|ugh|hmm|no|nope|nah|wait|nvm|pls|please|actually|sorry)[\s,.!]+)*(back|go back|previous( question)?|undo( that| it| the last (?:change|one|thing|edit))?|revert( that| it)?|roll (?:it |that )?back|put it back|change it back|(?:set|make) it (?:like it was|back)|take (that|it) back|scratch that|never ?mind)\b/;

// What may follow a no and keep it a plain no: "nope, that's it", "no thanks, all good for now".
const NO_TAIL_RE = /^(?:[\s,.!]|thanks|thank you|thx|ty|not really|changes?|(?:any |more )?(?:recovery|breaks?|time off|deep work|review|reviews|rocks?|rules?|unplugging|downtime)|honestly|really|tbh|to be honest|sadly|unfortunately|needed|need|for me|here|(?:my |the )?(?:setup|room|desk|space|environment|it|everything)(?: is|'s)? (?:fine|good|ok|okay|great)(?: as (?:it )?is)?|i'?m good|we'?re good|that'?s (?:it|all|fine|enough|everything)|thats (?:it|all)|nothing(?: else| more)?|none|all good|good|for now|more|else|sorry|lol|i think|please|pls|not (?:now|this week|today)|this week|need|needed|way|idea|it|that|all|done|i'?m done|enough|fine|ok|okay)*$/;

/** "no phone before 10", "no, tue 9-11": a "no" that opens an answer rather than declining. */
function noThenAnswer(bare: string): boolean {
  const m = NO_RE.exec(bare);
  return m !== null && !NO_TAIL_RE.test(bare.slice(m[0].length));
}

/** True when a message declines the question it answered ("skip", "idk", "no", "nah, that's all"). */
export function isDeclined(text: string, pending: string | null): boolean {
  const i = understand(text, { pending, rockTitles: [] }).intent;
  return i === 'skip' || i === 'no';
}

export function isSkip(text: string): boolean {
  return SKIP_RE.test(strip(normalize(text)));
}

export function isNo(text: string): boolean {
  return NO_RE.test(strip(normalize(text)));
}

// What may follow a yes and keep it a plain yes: "ok sounds good", "yes please, book it".
const YES_TAIL_RE = /^(?:[\s,.!]|thing|please|pls|thanks|thank you|ty|sure|do it|go ahead|book it|sounds good|that works|works(?: for me)?|great|perfect|good|fine|let'?s do (?:it|that)|that'?s fine|yes|yeah|yep|ok|okay|cool|k|it|that|is|lol|:\))*$/;

export function isYes(text: string): boolean {
  const t = strip(normalize(text));
  const m = YES_RE.exec(t);
  // "k. desk facing the wall" answers with the rest; only a yes with nothing else is a yes.
  return m !== null && t.split(' ').length <= 6 && YES_TAIL_RE.test(t.slice(m[0].length));
}

// "idk maybe finish my portfolio?", "not sure... thursday 10 to 12": unsure, and still an answer.
const HEDGE_RE = /^(?:idk|i ?d ?k|i don'?t know|dont know|dunno|not sure|unsure|maybe|perhaps|probably|possibly|i guess|i think|whenever)\b/;
const HEDGE_FILLER = /\b(?:idk|i ?d ?k|i don'?t know|dont know|dunno|not sure|unsure|maybe|perhaps|probably|possibly|i guess|i think|lol|tbh|really|honestly|about (?:it|that)|yet|right now|either|whatever|tho|though)\b|[^\p{L}\p{N}\s]/gu;

/** A "skip"-like opening followed by an answer of its own (two words or more beyond the hedging). */
function hedgedAnswer(bare: string): boolean {
  return HEDGE_RE.test(bare) && countWords(bare.replace(HEDGE_FILLER, ' ')) >= 2;
}

// ------------------------------------------------------------------ questions about FOCUS

const QUESTION_START = /^(what|whats|what's|why|how|who|when is|is it|do i|does|should i|can i|could you explain|explain|wdym|what do you mean|meaning of|huh|sorry what|wait what|um what|so what)\b/;

function topicOf(t: string): FocusTopic {
  if (/\bbig rocks?\b|\brocks?\b/.test(t)) return 'rock';
  if (/\bunplug/.test(t)) return 'unplug';
  if (/\b45\b|\bminutes?\b|\bhow long\b/.test(t)) return 'minutes';
  if (/\bdeep work\b|\bdeep\b/.test(t)) return 'deep_work';
  if (/\bfocus\b/.test(t)) return 'focus';
  if (/\benvironment\b/.test(t)) return 'environment';
  if (/\bvision\b|\bcelebrate\b|\b12.?months?\b/.test(t)) return 'vision';
  if (/\breview\b|\breflect/.test(t)) return 'review';
  if (/\bpebbles?\b|\bsand\b/.test(t)) return 'sand';
  if (/\brecovery\b|\brest\b|\bbreaks?\b/.test(t)) return 'recovery';
  if (/^why\b/.test(t)) return 'why';
  return 'general';
}

function isQuestion(t: string): boolean {
  // "can i do it saturday at noon instead?" answers with a time; it asks nothing about FOCUS.
  if (/^(?:can|could|should|shall|may) (?:i|we)\b|^(?:how|what) about\b|^would\b/.test(t) && mentionsTime(t)) return false;
  if (/^(can|could|would|will) you\b/.test(t) && /\b(move|add|drop|remove|delete|change|book|put|make|shift|rename|plan)\b/.test(t)) return false;
  if (QUESTION_START.test(t.replace(/^(?:(?:hmm+|um+|uh+|ok(?:ay)?|so|and|but|wait|oh|sorry)[\s,.!]+)+/, ''))) return true;
  if (/\?\s*$/.test(t) && !mentionsTime(t) && !HEDGE_RE.test(t)) return /^(is|are|do|does|can|should|what|why|how|which|who)\b/.test(t) || /\b(mean|meant|means)\b/.test(t) || t.split(' ').length <= 6;
  return false;
}

/** "what are my rocks?", "show me my week", "when is my review?" → the part of their plan they ask about. */
function ownPlanQuestion(t: string): PlanPart | undefined {
  const m = /\b(?:my|our|(?<=^(?:when|show|list|remind)\b.*)the)\s+(plan|week(?:ly plan)?|rocks?|priorities|big rocks|blocks?|schedule|calendar|deep work|review|friday review|environment(?: rules| changes)?|rules|vision)\b/.exec(t);
  if (!m) return undefined;
  const asks = /^(?:what|whats|what's|which|when|where|show|list|remind|tell me|can i see|can you show|give me|recap|summar)/.test(t) || /\?\s*$/.test(t);
  if (!asks || /^(?:can|could|would|will) you (?:change|move|drop|remove|add|rename|swap|put|make|set|delete)\b/.test(t)) return undefined;
  const w = m[1]!;
  if (/rock|priorit/.test(w)) return 'rocks';
  if (/block|deep work|schedule|calendar/.test(w)) return 'blocks';
  if (/review/.test(w)) return 'review';
  if (/environment|rules/.test(w)) return 'environment';
  if (/vision/.test(w)) return 'vision';
  return 'plan';
}

// ------------------------------------------------------------------ lists (rocks, environment)

const FILLER_START =
  /^(?:(?:ok(?:ay)?|k|kk|yep|yup|so|um+|uh+|hmm+|well|oh|ah|right|alright|honestly|basically|i guess|i think|i mean|like|just|hmm ok|yeah|yes|sure|fine|idk|dunno|not sure|whenever|perhaps|and|also|then|plus|maybe|probably|ideally|definitely|really|mostly|hey|hi|hello|lol)[\s,.:!-]+)+/i;
const LIST_LEAD =
  /^(?:(?:my|the|our)\s+(?:big\s+)?(?:rocks?|priorities|goals|list|changes?|top (?:\d|three|3) )\s*(?:for )?(?:this|next)?\s*(?:week)?\s*(?:are|is|would be|will be|:)?|(?:big\s+)?rocks?(?: this week)?\s*(?:are|:)|priorities(?: this week)?\s*(?:are|:)?|this week\s*(?:i want to|i need to|i'?ll|i will|:|,)?|i\s+(?:really\s+)?(?:want|need|have|would like|'d like|wanna|gotta|got)\s+to|i want|i need|i have|i'd say|i would say|probably|for this week|for the week|the main things? (?:are|is)|main things?(?: are| is|:)?|things? i (?:need|want) to (?:do|get done)(?: are| is|:)?|top priority(?: is|:)?|focus(?:ing)? on|i\s+should(?:\s+(?:really|realy|rly|probably))?(?:\s+try\s+to)?|i'?ll|i will|i could|i can|i might|i must|i gotta|(?:for|in|with)\s+(?:my\s+|the\s+)?(?:environment|env|surroundings)\b,?|env(?:ironment)?\s*:)\s*:?\s*/i;
const BULLET_RE = /^\s*(?:[-*•–—+]|\(?\d{1,2}[.)]|\d{1,2}:(?=\s)|\(?[a-e][.)](?=\s))\s*/i;

// Words that may end an item as its time: "hiring plan thu morning", "deck (tue 9-11)".
const TIME_TOKEN_RE = /^(?:on|at|from|to|til|till|until|and|every|each|am|pm|noon|midnight|mornings?|afternoons?|evenings?|nights?|lunch|weekdays?|weekends?|daily|today|tonight|tomorrow|[\d:.\-–apm()]+)$/i;

/** An item without the time said after it, when that is a time ("thu morning", "(tue 9-11)"). */
function withoutTrailingTime(item: string): string {
  const tokens = item.split(/\s+/);
  let i = tokens.length;
  while (i > 1 && (TIME_TOKEN_RE.test(tokens[i - 1]!) || dayOfWord(tokens[i - 1]!.replace(/[()]/g, '')) !== null)) i--;
  const tail = tokens.slice(i).join(' ');
  // Only with a day in it: "wifi off in the mornings" is the item itself.
  // "finish budget by 5pm friday": a deadline is part of the item.
  if (/^(?:by|before|until|till|due)$/i.test(tokens[i - 1] ?? '')) return item;
  const hasDay = tokens.slice(i).some((w) => dayOfWord(w.replace(/[()]/g, '')) !== null || /^(?:today|tonight|tomorrow)$/i.test(w));
  return hasDay && readTimeSlots(tail, { today: 0 }).kind === 'slots' ? tokens.slice(0, i).join(' ') : item;
}

/**
 * Cleans one list item: bullets, filler ("ok so", "honestly just", "oh"), trailing punctuation,
 * and a time said after it unless `keepTime` (a title typed in an edit, "finish budget by 5pm friday").
 */
export function tidyItem(raw: string, keepTime = false): string {
  let t = raw.replace(BULLET_RE, '').trim();
  for (let i = 0; i < 3; i++) {
    t = t.replace(FILLER_START, '').replace(LIST_LEAD, '').replace(/^(?:and|also|then|plus|oh|&)\s+/i, '').trim();
  }
  t = (keepTime ? t : withoutTrailingTime(t))
    .replace(/\s*\((?:[^)]*)\)\s*$/, (m) => (m.length > 40 ? m : ''))
    .replace(/\s+(?:i guess|i think|probably|maybe|lol|haha|tbh|too|as well|this week|for this week|hopefully|if possible|ideally)$/i, '')
    .replace(/[\s.;,!:?]+$/, '')
    .replace(/^["'“”]|["'“”]$/g, '')
    .trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function countWords(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

function splitLine(line: string): string[] {
  // "1. A 2. B 3. C" on one line.
  if (/(?:^|\s)1[.)]\s*\S/.test(line) && /\s2[.)]\s*\S/.test(line)) {
    return line.split(/(?:^|\s)\d{1,2}[.)]\s*/).filter((s) => s.trim());
  }
  if (/(?:^|\s)\(?a\)\s*\S/i.test(line) && /\s\(?b\)\s*\S/i.test(line)) {
    return line.split(/(?:^|\s)\(?[a-h]\)\s*/i).filter((s) => s.trim());
  }
  // A full stop after an abbreviation or before a number ("thesis ch. 2") ends nothing.
  const pieces = line.split(/\s*(?:[;,]|\s\+\s|\s&\s|(?<!\b(?:ch|no|vol|pt|sec|fig|approx|vs|mr|mrs|ms|dr|st|ep|p|pp))\.\s+(?!\d)|\s\/\s)\s*/).filter((s) => s.trim());
  // "finalise the budget & send it to Tom": a short part about "it" belongs to the one before.
  const parts: string[] = [];
  for (const p of pieces) {
    if (parts.length && /\b(?:it|them)\b/i.test(p) && countWords(p) <= 5) parts[parts.length - 1] += ` & ${p}`;
    else parts.push(p);
  }
  if (parts.length > 1) {
    const out: string[] = [];
    for (const p of parts) {
      // "finish the mockups and also get the docs reviewed and then prep the demo": every phrase of two words or more is an item.
      const halves = p.split(/\s+(?:and also|and then|and|plus)\s+/i);
      if (halves.length >= 2 && halves.slice(1).every((h) => countWords(h) >= 2)) out.push(...halves);
      else out.push(p);
    }
    return out;
  }
  // Without commas, "and" may belong to an item ("Research and write the post"): split only
  // when both sides read as phrases of their own.
  const halves = line.split(/\s+(?:and also|and then|and|also|plus)\s+/i);
  if (halves.length >= 2 && halves.every((h) => countWords(h) >= 2)) return halves;
  return [line];
}

const HEADER_RE = /^[^:]{0,40}:$/;

// Talk about the week rather than an item of it: "theres a lot going on", "busy week".
const NOT_AN_ITEM_RE = /^(?:(?:there'?s|theres|there is|it'?s|its|it is|this week is|i have|i'?ve got)\s+(?:a lot|lots|so much|too much|loads|a ton)\b|(?:busy|crazy|hectic|big|long|mad) week\b|(?:mainly |mostly |just |honestly )*(?:survive|get through (?:it|the week))\b)/i;
// "…, no wait not the bug, …", "…, scratch that, …": a change of mind about the item before.
const CHANGE_ITEM_RE = /^(?:(?:no|nope|nah|ok)[\s,.!]+)?(?:wait|actually(?: no)?|sorry|oops|scratch that|forget that|ignore that|not that one|no no)\b[\s,.!]*|^(?:no|nope|nah)[\s,.!]+(?=not\b)/i;

/** Applies "no wait not the bug" / "scratch that" to the items read so far; returns what of the part is left to read. */
function changeOfMind(part: string, items: string[]): { rest: string } {
  const m = CHANGE_ITEM_RE.exec(part.trim());
  if (!m) return { rest: part };
  const rest = part.trim().slice(m[0].length);
  const not = /^not\s+(?:the\s+|that\s+|my\s+)?(.+)$/i.exec(rest);
  const said = not ? normalize(not[1]!).split(/\W+/).filter((w) => w.length > 2) : [];
  const at = said.length ? items.findLastIndex((i) => said.some((w) => normalize(i).includes(w))) : items.length - 1;
  if (at >= 0) items.splice(at, 1);
  return { rest: not ? '' : rest };
}

/** Items of a list answer: lines, numbers, commas, "and" between phrases. */
export function readList(text: string): string[] {
  const body = text.replace(/^[^:\n]{0,60}:\s*(?=\S)/, (m) => (/\b(rocks?|priorit|list|changes?|week|goals|things|env(?:ironment)?|top \w+)\b/i.test(m) ? '' : m));
  const lines = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !HEADER_RE.test(l));
  const raw = lines.length > 1 ? lines.flatMap((l) => (BULLET_RE.test(l) ? [l] : splitLine(l))) : splitLine(lines[0] ?? '');
  const out: string[] = [];
  for (const part of raw) {
    const { rest: r } = changeOfMind(part, out);
    const item = tidyItem(r);
    if (NOT_AN_ITEM_RE.test(item)) continue;
    if (!item || /^(this week|rocks?|my rocks|priorities|list|and|etc|things|ok|okay|k|kk|yup|idk|dunno|not sure|maybe|whenever|right|so|well|yes|yeah|yep|sure|fine|alright|hmm|um|uh|oh|no|nope|sorry|hi|hey|lol)$/i.test(item)) continue;
    const k = item.toLowerCase();
    if (out.some((o) => o.toLowerCase() === k)) continue;
    out.push(item);
  }
  return out;
}

// ------------------------------------------------------------------ vision

const AREA_MARKERS: Array<[keyof Vision, RegExp]> = [
  ['work', /\b(?:at work|work(?:-|\s)?wise|for work|work|career|professionally|job|in my job|business)\b\s*[:\-–—,]?\s*/i],
  ['self', /\b(?:for myself|for me|myself|personally|for (?:my )?self|self|health(?:-|\s)?wise|health(?=\s*[:\-–—])|personal(?:ly)?|me personally|me(?=\s*[:\-–—]))\b\s*[:\-–—,]?\s*/i],
  ['relationships', /\b(?:(?:for|in|with) (?:my )?(?:relationships?|family|friends)|relationships?(?:-|\s)?wise|relationships?|family|friends|people|partner|socially|with (?:my )?(?:wife|husband|partner|kids|family|friends))\b\s*[:\-–—,]?\s*/i],
];

/** "I'd love to have my thesis submitted" → "my thesis submitted": the wish, not the wrapper. */
function cleanVision(s: string): string {
  return s
    .replace(FILLER_START, '')
    .replace(/^(?:i'?d|i would|i'?ll|i will|i want to|i wanna|i hope to|i'd like to|i would like to)\s+(?:(?:love|like|want|hope)\s+to\s+|celebrate\s+|be celebrating\s+)?/i, '')
    .replace(/^(?:to\s+)?(?:have|get)\s+(?=my|our|the|a)\b/i, '')
    .replace(/^celebrate\s+/i, '');
}

/**
 * Vision parts named anywhere in a message ("work: ship v2. for me: run a half. family: …").
 * Only explicit markers split a message; unmarked text belongs to the asked-for part.
 */
export function readVision(text: string, asked: keyof Vision | null): Partial<Vision> {
  const sentences = text
    .split(
      /(?<=[.!;\n])\s+|\n+|\s*;\s*|\s+[/|]\s+|,\s*(?=(?:and\s+)?(?:(?:for|at|in|with|work|career|personally|professionally|health|family|friends|relationships?|self|myself|personal)\b|me\s*[:\-–—]))|\s+and\s+(?=(?:for (?:me|myself|work|my)|with (?:my )?(?:wife|husband|partner|kids|family|friends)|personally|professionally|relationships?|in my relationships|family|friends|at work|work-?wise)\b)/i,
    )
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Partial<Vision> = {};
  let current: keyof Vision | null = asked;
  const add = (area: keyof Vision, s: string) => {
    const clean = tidyItem(s.replace(/^(?:and|also)\s+/i, ''));
    if (!clean) return;
    out[area] = out[area] ? `${out[area]}; ${clean}` : clean;
  };
  for (const s of sentences) {
    const lead = s.replace(FILLER_START, '').replace(/^(?:in (?:a|one) year|a year from now|in 12 months|12 months from now|next year|by next year)[\s,:;-]*/i, '');
    let hit: keyof Vision | null = null;
    let rest = s;
    for (const [area, re] of AREA_MARKERS) {
      const m = re.exec(lead);
      // A marker counts when it opens the sentence ("at work I'd…", "family: …", "for me, …").
      if (m && m.index <= 6) {
        hit = area;
        rest = lead.slice(0, m.index) + lead.slice(m.index + m[0]!.length);
        if (area === 'relationships' && !/[:\-–—,]/.test(m[0]!) && !/^(relationships?|(?:for|in|with) (?:my )?(?:relationships?|family|friends))/i.test(m[0]!.trim())) rest = lead;
        if (area === 'self' && /^health/i.test(m[0]!) && !/[:\-–—]/.test(m[0]!)) rest = lead;
        break;
      }
    }
    if (hit) current = hit;
    if (current) add(current, cleanVision(hit ? rest : lead));
  }
  return Object.keys(out).length === 1 && asked && out[asked] ? (visionByTopic(text) ?? out) : out;
}

// Words that tell a wish's area when no marker names it ("get fit", "be a better dad").
const SELF_WORDS = /\b(fit|fitness|health(?:y|ier)?|run(?:ning)?|marathon|10k|5k|triathlon|gym|sleep|weight|meditat\w*|yoga|surf\w*|swim\w*|books?|guitar|piano|language|spanish|french|german|travel\w*|holiday|vacation|debt|savings?|therapy|calm|stress|burn ?out|myself)\b/i;
const RELATIONSHIP_WORDS = /\b(dad|mum|mom|father|mother|parent|parents|wife|husband|partner|girlfriend|boyfriend|kids?|children|son|daughter|family|friends?|sister|brother|siblings?|grand\w+|date nights?|married|proposed?|wedding|community|neighbou?rs)\b/i;
// "… at work", "… for myself", "… with my family": a marker that closes the phrase.
const TRAILING_MARKERS: Array<[keyof Vision, RegExp]> = [
  ['work', /\s+(?:at work|for work|in my job|at my job|career-?wise|work-?wise)$/i],
  ['self', /\s+(?:for myself|for me|personally)$/i],
  ['relationships', /\s+(?:with (?:my )?(?:wife|husband|partner|kids|family|friends)|in my relationships)$/i],
];

/**
 * A vision in one unmarked message, "lead the team, get fit, be a better dad": each phrase goes
 * to the area its words or closing marker name (work by default). Null unless at least two areas
 * come out — three work wishes stay one work wish.
 */
function visionByTopic(text: string): Partial<Vision> | null {
  const phrases = readList(text.replace(/^(?:in (?:a|one) year|a year from now|in 12 months|12 months from now|next year|by next year)[\s,:;-]*/i, ''));
  if (phrases.length < 2) return null;
  const out: Partial<Vision> = {};
  for (const p of phrases) {
    const trailing = TRAILING_MARKERS.find(([, re]) => re.test(p));
    const area: keyof Vision = trailing ? trailing[0] : RELATIONSHIP_WORDS.test(p) ? 'relationships' : SELF_WORDS.test(p) ? 'self' : 'work';
    const clean = tidyItem(cleanVision(trailing ? p.replace(trailing[1], '') : p));
    out[area] = out[area] ? `${out[area]}; ${clean}` : clean;
  }
  return Object.keys(out).length >= 2 ? out : null;
}

// ------------------------------------------------------------------ edits

const ROCK_WORDS = String.raw`(?:rocks?|priorit(?:y|ies)|goals?)`;

/** Where a rock should go: a place in the list (0 = first), the end, next to another rock, or one step up or down. */
export type RockPlace = { index: number } | { last: true } | { before: string } | { after: string } | { step: -1 | 1 };

const ORDINALS: Record<string, number> = {
  first: 0, '1st': 0, one: 0, '1': 0, second: 1, '2nd': 1, two: 1, '2': 1, third: 2, '3rd': 2, three: 2, '3': 2,
  fourth: 3, '4th': 3, four: 3, '4': 3, fifth: 4, '5th': 4, five: 4, '5': 4,
};

/**
 * A rock named by its place rather than its words: "rock 2", "#3", "the second one", "2" → 1.
 * -1 for "the last one"; null when the name is words.
 */
export function rockIndexOf(name: string): number | null {
  const t = normalize(name)
    .replace(/\b(?:the|my|rock|priority|one|no\.?|number|thing|item)\b|#/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t === 'last') return -1;
  return ORDINALS[t] ?? null;
}

function stemWord(w: string): string {
  const base = w.length > 4 ? w.replace(/(?:ing|ed|es|s)$/, '') : w.replace(/s$/, '');
  // "hire" and "hiring" meet at "hir".
  return base.length > 3 ? base.replace(/e$/, '') : base;
}

const MATCH_STOP = new Set(['the', 'a', 'an', 'my', 'to', 'of', 'for', 'and', 'on', 'in', 'with', 'rock', 'one', 'it', 'this', 'that', 'thing', 'block', 'slot', 'from', 'at', 'is', 'be', 'do', 'stuff', 'priority', 'task', 'item', 'first', 'top', 'last']);

/** The content words of a text, stemmed ("hiring the designers" → hir, designer). */
export function keyWords(s: string): string[] {
  return normalize(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !MATCH_STOP.has(w))
    .map(stemWord);
}

/**
 * How well a text names a title: 1 per shared word, ½ per word that only shares its first
 * four letters ("dek" misses, "present" ~ "presentation" hits). 0 = not named.
 */
export function nameScore(text: string, title: string): number {
  const said = keyWords(text);
  let score = 0;
  for (const w of keyWords(title)) {
    if (said.includes(w)) score += 1;
    else if (w.length >= 4 && said.some((x) => x.length >= 4 && x.slice(0, 4) === w.slice(0, 4))) score += 0.5;
  }
  return score;
}

const namesRock = (text: string, rockTitles: string[]) => rockTitles.length === 0 || rockIndexOf(text) !== null || rockTitles.some((r) => nameScore(text, r) > 0);
const timed = (s: string) => mentionsTime(s) || daysIn(s).length > 0;
/** A day or a slot, not just a duration ("sleep 8h a night" is a wish, "prep the offsite tue 9-11" a booking). */
const bookable = (s: string) => daysIn(s).length > 0 || readTimeSlots(s).kind === 'slots';

function names(list: string): string[] {
  return list
    .split(/\s*(?:,|\band\b|&|\bplus\b|\bor\b)\s*/i)
    .map((s) =>
      s
        .replace(/\b(the|my|that|this|those|these|thing|one|ones|rocks?|priorit(?:y|ies)|too|as well|both|for now|this week|after all|anymore|any more)\b/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((s) => s.length > 1 || /^\d$/.test(s));
}

// Slips of the keyboard seen in commands, fixed word by word.
const COMMAND_TYPOS: Record<string, string> = { mvoe: 'move', moev: 'move', mve: 'move', mov: 'move', teh: 'the', hte: 'the', swich: 'switch', swtich: 'switch', sawp: 'swap', renmae: 'rename', raname: 'rename', rnename: 'rename', delte: 'delete', dleete: 'delete', remvoe: 'remove', romove: 'remove', drpo: 'drop', frist: 'first', fisrt: 'first', firts: 'first', pririty: 'priority', priorty: 'priority', prioirty: 'priority', reveiw: 'review', reivew: 'review', enviroment: 'environment', envirnoment: 'environment', enviornment: 'environment', vison: 'vision', visoin: 'vision' };

/** A command without the politeness and filler around it: "ok so can u move the deck thing to the top pls" → "move the deck thing to the top". */
export function commandText(text: string): string {
  let t = normalize(text).replace(/[a-z]+/g, (w) => COMMAND_TYPOS[w] ?? w);
  const lead =
    /^(?:ok(?:ay)?|so|actually|hey|hi|hmm+|um+|uh+|also|and|oh|wait|fair|right|alright|yeah|yes|sorry|please|pls|plz|can (?:you|u|we|i)|could (?:you|u|we|i)|would (?:you|u)|will (?:you|u)|i want to|i wanna|i'?d like to|i need to|i have to|let'?s|lets|just|quickly|quick one|one more thing|one thing|change of plan|on second thought|ugh|oops|btw|by the way|hey coach|coach|i think|i guess|i feel like|honestly|tbh|maybe|hmm ok)(?:[\s,.!:;-]+|$)/;
  for (let i = 0; i < 8; i++) t = t.replace(lead, '');
  // "can we put the deck first? its due friday": the command is the first sentence.
  t = t.replace(/^(.{6,}?[a-z0-9'")])\s*[?!.]+\s+\S.*$/, '$1');
  return t
    .replace(/[\s,]*\b(?:please|pls|plz|thanks|thx|ty|thank you|if you can|if possible|asap|lol|haha|for me)\b[\s!.?]*$/g, '')
    .replace(/\b(?:please|pls|plz)\s+/g, '')
    .replace(/[\s!?.]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text as typed (case kept) for a phrase found in the lowercased command; quotes and filler removed. */
function asTyped(original: string, phrase: string): string {
  const o = original.replace(/[’‘`]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').trim();
  const at = o.toLowerCase().lastIndexOf(phrase);
  const raw = at >= 0 ? o.slice(at, at + phrase.length) : phrase;
  return tidyItem(raw.replace(/^\s*["']|["']\s*$/g, '').replace(/\s+instead$/i, ''), true);
}

/**
 * Block edits in everyday words, read before the general commands: "delete the saturday
 * recovery" (a block, not a rock), "cancel saturday" (only a day named), "make the website
 * block 2-5" (new times, same day).
 */
function readBlockEdit(text: string): EditCommand | undefined {
  const s = normalize(text);
  let m: RegExpExecArray | null;
  if ((m = /^(?:delete|remove|cancel|clear|kill|scrap|get rid of|take out|take off|drop)\s+(?:the|my|that)?\s*(.*?)\s*\b(recovery|unplug|deep work|break)s?\b(.*)$/.exec(s))) {
    return { op: 'delete_block', target: `${m[1]!} ${m[2]!} ${m[3]!}`.replace(/\s+/g, ' ').trim() };
  }
  if ((m = /^(?:delete|remove|cancel|clear|scrap|drop|kill)\s+(?:the\s+|my\s+|on\s+)?(.+)$/.exec(s)) && daysIn(m[1]!).length && onlyDayAndTime(m[1]!)) {
    return { op: 'delete_block', target: m[1]! };
  }
  if ((m = /^(?:make|change|set|resize|turn)\s+(?:the\s+|my\s+|that\s+)?(.+?\b(?:block|slot|session|one))\s+(?:to\s+|into\s+|be\s+|go\s+|run\s+)?(.+)$/.exec(s)) && mentionsTime(m[2]!)) {
    return { op: 'move_block', target: m[1]!, to: m[2]! };
  }
  return undefined;
}

/** "oh and one more rock: …", "ok so can you move …": openers stack in front of a command. */
const withoutOpeners = (text: string) => text.replace(/^\s*(?:(?:ok(?:ay)?|so|actually|hey|hmm|um|also|and|oh|wait|please|pls)[\s,.!]+)+/i, '');

/** True when a phrase is made only of day names and times ("saturday", "fri 2-4pm", "tue morning"). */
function onlyDayAndTime(phrase: string): boolean {
  return phrase
    .split(/[\s,]+/)
    .filter(Boolean)
    .every((w) => dayOfWord(w) !== null || /^(?:and|&|on|at|from|to|the|morning|afternoon|evening|night|am|pm|[\d:.\-apm]+)$/.test(w) || /^(?:mon|tue|wed|thu|fri|sat|sun)\w*'?s$/.test(w));
}

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** "the gym tomorrow" → "the gym wednesday": an edit names the day it means, whatever day it is. */
function withDayNames(text: string, today: number | undefined): string {
  const named = (ahead: number) => (m: string) => (today !== undefined && DAY_NAMES[today + ahead] ? DAY_NAMES[today + ahead]! : m);
  return text
    .replace(/\b(?:the )?day after (?:tomorrow|tmrw?)\b/gi, named(2))
    .replace(/\b(?:tomorrow|tmrw?)\b/gi, named(1))
    .replace(/\b(?:today|tonight)\b/gi, named(0));
}

/** "the top", "first", "#1", "number two", "last", "above the budget", "up one" → a place; null for anything else. */
export function placeOf(words: string): RockPlace | null {
  let t = words.trim();
  for (let before = ''; before !== t; ) {
    before = t;
    t = t.replace(/^(?:to|at|in|into|on|as|be|become|the|my|very|spot|position|place|slot|rank|number|no\.?)\s+|^#\s*/, '');
  }
  t = t
    .replace(/\s+(?:of|on|in)\s+(?:the|my)\s+(?:list|rocks?|priorit(?:y|ies)|week)$/, '')
    .replace(/(?<!number|priority)\s+(?:rock|priority|place|position|spot|one|thing|prio)$/, '')
    .trim();
  let m: RegExpExecArray | null;
  if ((m = /^(?:above|before|ahead of|in front of|over)\s+(.+)$/.exec(t))) return { before: m[1]! };
  if ((m = /^(?:below|after|behind|under|beneath)\s+(.+)$/.exec(t))) return { after: m[1]! };
  if (/^(?:top|front|beginning|start|head|first|1st|one|1|number one|main|most important|biggest|highest|top priority|p1|priority (?:number )?(?:one|1))$/.test(t)) return { index: 0 };
  if (/^(?:last|bottom|end|least important|lowest)$/.test(t)) return { last: true };
  if (/^(?:up|higher|up one|one up|up a spot|up one spot)$/.test(t)) return { step: -1 };
  if (/^(?:down|lower|down one|one down|down a spot|down one spot)$/.test(t)) return { step: 1 };
  const n = ORDINALS[t.replace(/^(?:number|no\.?)\s*/, '')];
  return n === undefined ? null : { index: n };
}

const AREA_WORD = String.raw`(work|career|job|professional|business|self|personal|myself|me|health|relationships?|family|friends|people|social)`;
const AREA_PHRASE = String.raw`(for myself|for me|me personally|personally|myself|for (?:my)?self|at work|for work|work-?wise|in my career|career-?wise|(?:in|for) my relationships?|relationships?(?:-?wise)?|for (?:my )?family|with (?:my )?(?:family|friends|partner|wife|husband|kids)|family(?:-?wise)?|socially)`;

function areaOf(word: string): keyof Vision {
  if (/work|career|job|professional|business/.test(word)) return 'work';
  if (/relationship|family|friends|people|social|partner|wife|husband|kids/.test(word)) return 'relationships';
  return 'self';
}

function visionEdit(text: string, t: string, s: string): EditCommand | undefined {
  const value = (area: keyof Vision, v: string, loose = false): EditCommand | undefined => {
    if (!v.trim() || /\b(?:this week|today|tomorrow)\b/.test(v) || (loose && bookable(v))) return undefined;
    const typed = asTyped(text, v.replace(/^[\s:=–—-]+/, ''));
    const clean = tidyItem(cleanVision(typed));
    return clean ? { op: 'vision', vision: { [area]: clean } } : undefined;
  };
  let m: RegExpExecArray | null;
  const visionWord = String.raw`(?:vision|part|goal|celebration|one|bit|line|answer)`;
  if ((m = new RegExp(String.raw`^(?:change|update|set|make|edit|fix|replace|switch|rewrite|reword)\s+(?:my\s+|the\s+)?${AREA_WORD}(?:[\s-]+${visionWord})?(?:\s+of\s+(?:my|the)\s+vision)?\s*(?:to|:|=|into|with|->|→|so it says|to say|to read)[\s:]+(.+)$`).exec(s)) && /\bvision|part|celebrat/.test(s)) {
    return value(areaOf(m[1]!), m[2]!);
  }
  if ((m = new RegExp(String.raw`^(?:change|update|set|edit|fix|rewrite)\s+(?:my\s+|the\s+)?(?:12.?months?\s+)?vision\s+(?:for|at|on|about|of)\s+(?:my\s+)?${AREA_WORD}\s*(?:to|:|=|->|→)\s*(.+)$`).exec(s))) return value(areaOf(m[1]!), m[2]!);
  if ((m = new RegExp(String.raw`^(?:my\s+|the\s+)?${AREA_WORD}[\s-]+vision\s*(?:should (?:be|say|read)|is now|is actually|is|now|:|=|-|to|will be|would be)\s*(.+)$`).exec(s))) return value(areaOf(m[1]!), m[2]!);
  if ((m = new RegExp(String.raw`^vision\s*(?:\(|-|:|for|at)?\s*${AREA_WORD}\)?\s*(?::|-|=|to|should be)\s*(.+)$`).exec(s))) return value(areaOf(m[1]!), m[2]!);
  // "actually for myself I want to run a half marathon", "for work: lead the team instead".
  const lead = /^(?:actually|instead|oh|hmm+|wait|sorry|on second thought|thinking about it|change of plan|scratch that|ok(?:ay)?)\b[\s,.!:-]*(?:(?:actually|instead)\b[\s,.!:-]*)?/;
  const rest = t.replace(lead, '');
  if ((m = new RegExp(String.raw`^${AREA_PHRASE}\s*[,:-]?\s*(.+)$`).exec(rest)) && (rest !== t || /\binstead$/.test(t) || /\bvision\b/.test(t))) {
    return value(areaOf(m[1]!), m[2]!.replace(/\s+instead$/, ''), true);
  }
  return undefined;
}

function environmentEdit(text: string, s: string, environment: string[]): EditCommand | undefined {
  let m: RegExpExecArray | null;
  const ENV = String.raw`(?:environment(?:al)?|env)`;
  const items = (v: string) => readList(asTyped(text, v));
  if ((m = new RegExp(String.raw`^(?:add|new|another|one more|also|plus)\s+(?:an?\s+|one\s+more\s+|another\s+|new\s+)?${ENV}\s*(?:rule|change|commitment|thing|item|tweak)?\s*(?::|-|,|=)?\s*(.+)$`).exec(s))) return { op: 'add_environment', items: items(m[1]!) };
  if ((m = /^(?:add|new|another|one more)\s+(?:an?\s+|another\s+|new\s+)?(?:rule|commitment)\s*(?::|-|,)?\s*(.+)$/.exec(s))) return { op: 'add_environment', items: items(m[1]!) };
  if ((m = new RegExp(String.raw`^add\s+(?:this\s+)?(?:to|in|into)\s+(?:my\s+|the\s+)?${ENV}\s*(?::|-)?\s*(.+)$`).exec(s))) return { op: 'add_environment', items: items(m[1]!) };
  if ((m = new RegExp(String.raw`^(?:add|put)\s+(.+?)\s+(?:to|in|into|on|under)\s+(?:my\s+|the\s+)?(?:${ENV}|rules)(?:\s+(?:rules|list|changes))?$`).exec(s))) return { op: 'add_environment', items: items(m[1]!) };
  if ((m = new RegExp(String.raw`^${ENV}\s*(?::|-)?\s*add\s*:?\s*(.+)$`).exec(s))) return { op: 'add_environment', items: items(m[1]!) };
  const REMOVE = String.raw`(?:remove|drop|delete|scrap|ditch|kill|lose|forget(?: about)?|get rid of|take out|take off|cut|no more)`;
  if ((m = new RegExp(String.raw`^(?:change|update|edit|replace|swap|make|reword)\s+(?:the\s+|my\s+|that\s+)?(.+?)\s+(?:${ENV}\s+)?(?:rule|commitment|${ENV}(?:\s+(?:rule|change|thing|item))?)\s+(?:to|with|into|for|->|→)\s+(.+)$`).exec(s))) {
    return { op: 'replace_environment', name: m[1]!, to: asTyped(text, m[2]!) };
  }
  if ((m = new RegExp(String.raw`^${REMOVE}\s+(?:the\s+|my\s+|that\s+|this\s+)?(.+?)\s+(?:${ENV}\s+)?(?:rule|commitment|${ENV}\s+(?:rule|change|thing|item))s?(?:\s+(?:from|off)\s+.*)?$`).exec(s))) return { op: 'remove_environment', name: m[1]! };
  if ((m = new RegExp(String.raw`^${REMOVE}\s+(?:the\s+|my\s+)?(.+?)\s+(?:from|off|out of)\s+(?:my\s+|the\s+)?(?:${ENV}|rules)\b.*$`).exec(s))) return { op: 'remove_environment', name: m[1]! };
  if ((m = new RegExp(String.raw`^i (?:don'?t|dont|do not) (?:need|want)\s+(?:the\s+|my\s+|that\s+)?(.+?)\s+(?:${ENV}\s+)?(?:rule|commitment|${ENV}(?:\s+(?:rule|change|thing|item))?)(?:\s+any ?more|\s+this week)?$`).exec(s))) return { op: 'remove_environment', name: m[1]! };
  // "drop the phone thing" when it names an environment change better than it names a rock.
  if ((m = new RegExp(String.raw`^${REMOVE}\s+(?:the\s+|my\s+|that\s+)?(.+)$`).exec(s)) && environment.some((e) => nameScore(m![1]!, e) >= 1) && !timed(m[1]!) && !/\b(?:blocks?|slots?|sessions?)\b/.test(m[1]!)) {
    return { op: 'remove_environment', name: m[1]! };
  }
  return undefined;
}

function reviewEdit(s: string): EditCommand | undefined {
  // Only the weekly review itself, led by a verb at most: "perf review prep wed 2-3" and
  // "code review tue 2-4" are work, not the review slot.
  const m = /^(?:(?:move|change|set|make|put|push|shift|bump|reschedule|switch|update|do|have|schedule|book|plan)\s+)?(?:friday\s+|weekly\s+|week(?:'s)?\s+|the\s+|my\s+)*(?:review|reflection|retro)\b(?:\s+(?:block|slot|session|time))?\s*(.*)$/.exec(s);
  if (!m || /\b(?:review|reflect)\w*\s+(?:of|the|my)\s+(?!.*\b(?:to|at|on|for)\b)/.test(s)) return undefined;
  let when = m[1]!.replace(/^(?:to|on|for|until|till|into|should be|is|be)\s+/, '').replace(/\s+instead$/, '').trim();
  if (!/^(?:at\s+|from\s+|around\s+|by\s+)?(?:\d|noon|midday|mon|tue|wed|thu|fri|sat|sun|today|tomorrow|tonight|next|this|same|later|earlier|morning|afternoon|evening|end of)/.test(when)) return undefined;
  // "move the review to 4": a bare hour is a time here.
  if (/^(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:am|pm)?$/.test(when)) when = `at ${when.replace(/^at\s+/, '')}`;
  return when && timed(when) ? { op: 'review_time', when } : undefined;
}

function rockOrderEdit(s: string, rockTitles: string[]): EditCommand | undefined {
  // No rocks yet: "hire a designer is the most important" is a rock, not an order.
  if (rockTitles.length === 0) return undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(?:swap|switch|flip)\s+(?:the\s+)?(first|top|last|bottom)\s+(?:two|2)(?:\s+(?:rocks|priorities|ones))?(?:\s+(?:a)?round)?$/.exec(s))) {
    return { op: 'swap_rocks', names: /first|top/.test(m[1]!) ? ['1', '2'] : ['second to last', 'last'] };
  }
  if ((m = /^(?:swap|switch|flip|exchange|trade)\s+(?:the\s+order\s+of\s+|around\s+|places\s+of\s+|rocks?\s+)?(.+?)\s+(?:and|with|&|for|<->|\/)\s+(.+?)(?:\s+(?:a)?round|\s+(?:in the )?order|\s+places)?$/.exec(s)) && !timed(s) && !/\bblocks?\b|\bslots?\b/.test(s)) {
    const a = m[1]!.replace(/^(?:the\s+)?(?:rocks?\s+)/, 'rock ');
    return { op: 'swap_rocks', names: [a, /^\d$/.test(m[2]!) && /\brock\b/.test(a) ? `rock ${m[2]}` : m[2]!] };
  }
  if (
    (m = /^(?:re)?order(?:\s+(?:my|the))?(?:\s+(?:rocks|priorities))?\s*(?::|to|as|like this:?|like)\s*(.+)$/.exec(s)) ||
    (m = /^new order\s*:?\s*(.+)$/.exec(s)) ||
    (m = /^(?:the\s+|my\s+)?(?:order|ranking)(?:\s+of\s+(?:my\s+|the\s+)?(?:rocks|priorities))?\s+(?:should be|is|will be|:)\s*(.+)$/.exec(s))
  ) {
    const list = m[1]!.split(/\s*(?:,|>|→|->|\bthen\b|\band\b|;)\s*/).filter(Boolean);
    if (list.length >= 2) return { op: 'order_rocks', names: list };
  }
  if ((m = /^(?:prioriti[sz]e|rank|focus on)\s+(.+?)(?:\s+(?:first|over everything|above everything|above all))?$/.exec(s)) && /^(?:prioriti|rank)/.test(s) && namesRock(m[1]!, rockTitles) && !timed(m[1]!)) {
    return { op: 'reorder_rock', name: m[1]!, to: { index: 0 } };
  }
  if ((m = /^(?:move|put|bump|push|shift|make|set|place|have|rank|list|get)\s+(.+?)\s+((?:(?:up|down)\s+)?(?:to|at|in|into|on|as|be)\s+.+|first|last|up|down|higher|lower|up one|down one|(?:above|before|ahead of|in front of|over|below|after|behind|under)\s+.+|(?:my\s+|the\s+)?(?:number|#|no\.?)\s*\S+.*|(?:my\s+|the\s+)?(?:top|main|biggest|most important|highest)\b.*|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)$/.exec(s))) {
    const place = placeOf(m[2]!.replace(/^(?:up|down)\s+(?=to\b)/, ''));
    if (place && !timed(m[2]!) && !/\b(?:block|slot|session)s?\b/.test(m[1]!)) return { op: 'reorder_rock', name: m[1]!, to: place };
  }
  // "hiring first, then the deck".
  if ((m = /^(.+?)\s+first\s*[,;]?\s*(?:then|and then|after that|followed by|next)\s+(.+)$/.exec(s)) && namesRock(m[1]!, rockTitles) && rockTitles.length > 0 && !timed(s)) {
    return { op: 'order_rocks', names: [m[1]!, ...m[2]!.split(/\s*(?:,|\bthen\b|\band\b)\s*/).filter(Boolean)] };
  }
  // "top priority is the budget", "my number one is hiring", "priority 1 = hiring".
  if ((m = /^(?:my\s+|the\s+)?((?:top|number one|number two|number three|#\s*\d|no\.? ?\d|first|second|third|main|biggest|highest|most important|priority (?:one|two|\d|#\d))(?:\s+(?:rock|priority|one|thing|prio))?)\s*(?:is|=|:|should be|will be|has to be|must be|'s)\s+(.+)$/.exec(s)) && namesRock(m[2]!, rockTitles) && !timed(m[2]!)) {
    const place = placeOf(m[1]!);
    if (place) return { op: 'reorder_rock', name: m[2]!, to: place };
  }
  // "the RFC is more important, put it first", "hiring matters most so move it to the top".
  if ((m = /^(.+?)[,.;]?\s+(?:so\s+|and\s+|pls\s+)?(?:put|move|make|bump|have)\s+(?:it|that|this|this one|that one)\s+((?:to\s+|at\s+|on\s+)?(?:the\s+)?(?:first|top|#1|number one|last|bottom|second|third))(?:\s+(?:of the list|place|rock|priority))?$/.exec(s))) {
    const name = m[1]!.replace(/\s+(?:is|'s|are|matters|feels)\b.*$/, '');
    const place = placeOf(m[2]!);
    if (place && namesRock(name, rockTitles) && !timed(name)) return { op: 'reorder_rock', name, to: place };
  }
  // "the deck is more important than hiring".
  if ((m = /^(.+?)\s+(?:is|are|'s|matters)\s+(more|less)\s+(?:important|urgent|pressing)\s+than\s+(.+)$/.exec(s)) && rockTitles.length > 0 && namesRock(m[1]!, rockTitles) && namesRock(m[3]!, rockTitles)) {
    return { op: 'reorder_rock', name: m[1]!, to: m[2] === 'more' ? { before: m[3]! } : { after: m[3]! } };
  }
  // "hiring is the most important, put it first", "the budget should be #1", "deck goes on top".
  if ((m = /^(?:i (?:want|need|'d like|would like)\s+|make sure\s+|(?:can|could|should|will|may)\s+|(?:re)?order(?: it| them| things| my rocks)? so (?:that )?)?(.+?)\s+(?:should|must|needs to|has to|can|could|will|is going to|gonna|to)?\s*(?:be|go|come|goes|comes|is|'s|are|moves?|gets?)\s+((?:my\s+|the\s+)?(?:first|#\s*1|number one|no\.? ?1|top priority|top|on top|at the top|to the top|most important(?: one| thing| rock)?|main (?:rock|priority|thing)|priority (?:number )?(?:one|1|#1)|p1|last|at the bottom|second|third|fourth|fifth)(?:\s+(?:rock|priority|one|thing|on the list|of (?:the|my) (?:list|rocks|priorities)))?)(?:\s*(?:[,.;]|\bso\b|\band\b)\s*.*)?(?:\s+now)?$/.exec(s)) && namesRock(m[1]!, rockTitles) && !timed(m[1]!)) {
    const place = placeOf(m[2]!.replace(/^(?:on|at|to)\s+the\s+/, ''));
    if (place) return { op: 'reorder_rock', name: m[1]!, to: place };
  }
  // "deck first", "i want the deck on top", "the deck thing to the top".
  if ((m = /^(?:i want|i'?d like|i need|gimme|give me)?\s*(.+?)\s+(first|on top|to the top|at the top|up top|last|to the bottom|at the bottom)(?:\s+(?:then|and then|,)\s+.*)?$/.exec(s)) && m[1]!.split(' ').length <= 6 && namesRock(m[1]!, rockTitles) && !timed(m[1]!) && rockTitles.length > 0) {
    return { op: 'reorder_rock', name: m[1]!, to: placeOf(m[2]!.replace(/^(?:on|at|to|up)\s+(?:the\s+)?/, '')) ?? { index: 0 } };
  }
  // "deck before hiring", "budget after the deck".
  if ((m = /^(?:put\s+|move\s+|have\s+)?(.+?)\s+(before|above|ahead of|after|below|behind)\s+(.+)$/.exec(s)) && rockTitles.length > 0 && namesRock(m[1]!, rockTitles) && namesRock(m[3]!, rockTitles) && !timed(s)) {
    return { op: 'reorder_rock', name: m[1]!, to: /^(?:before|above|ahead of)$/.test(m[2]!) ? { before: m[3]! } : { after: m[3]! } };
  }
  return undefined;
}

function renameEdit(text: string, s: string, rockTitles: string[]): EditCommand | undefined {
  let m: RegExpExecArray | null;
  // Without rocks there is nothing to rename ("call mom to plan the trip" is a rock).
  if (rockTitles.length === 0) return undefined;
  const rename = (name: string, to: string, explicit = false): EditCommand | undefined => {
    // "rename X to finish the budget by 5pm friday" says it is a title; "change X to thu 9-11" is a move.
    if ((!explicit && timed(to)) || placeOf(to) || /\b(?:vision|review|rule|environment|block|slot)\b/.test(name) || !namesRock(name, rockTitles)) return undefined;
    // "change hiring to done" is a status, not a title.
    if (/^(?:done|finished|complete|completed)$/.test(to.trim())) return { op: 'done_rocks', names: [name] };
    if (/^(?:dropped|cancell?ed)$/.test(to.trim())) return { op: 'drop_rocks', names: [name] };
    const title = asTyped(text, to.replace(/^[\s:=–—-]+/, ''));
    return title ? { op: 'rename_rock', name: name.replace(/^(?:the|my)\s+/, '').replace(/\s+(?:rock|priority|one|title|name)$/, ''), to: title } : undefined;
  };
  if ((m = /^(?:rename|retitle|reword|relabel|re-?name)\s+(.+?)\s*(?:to|as|into|->|→|:|=|so it says|to say)\s*(.+)$/.exec(s))) return rename(m[1]!, m[2]!, true);
  if ((m = /^(?:call|name|title)\s+(.+?)\s+(?:rock\s+)?(?:to\s+|as\s+)?(["'].+["'])$/.exec(s)) || (m = /^(?:call|name)\s+(.+?\s+rock)\s+(?:to|as)\s+(.+)$/.exec(s))) return rename(m[1]!, m[2]!);
  if ((m = /^(?:change|update|edit|switch|fix|reword|make)\s+(?:(?:the\s+)?(?:name|title|wording)\s+(?:of\s+)?)?(?:the\s+|my\s+)?(.+?)\s+(?:rock\s+|priority\s+|title\s+|name\s+)?(?:to|into|->|→|so it says|to say|say|read)\s+(.+)$/.exec(s))) return rename(m[1]!, m[2]!);
  if ((m = /^(.+?)\s+(?:rock\s+)?(?:should|must|could|can)\s+(?:be called|be named|be renamed(?: to)?|say|read|be)\s+(["'].+["']|.+)$/.exec(s)) && /\b(?:called|named|renamed|say|read)\b|["']/.test(s)) return rename(m[1]!, m[2]!);
  if ((m = /^(.+?)\s+(?:is (?:now|actually) called|->|→)\s+(.+)$/.exec(s))) return rename(m[1]!, m[2]!);
  return undefined;
}

function rockStatusEdit(s: string, rockTitles: string[]): EditCommand | undefined {
  let m: RegExpExecArray | null;
  const ok = (x: string) => namesRock(x, rockTitles) && !timed(x);
  const DONE = String.raw`(?:done|finished|complete|completed|shipped|sorted|sent|submitted|live|handled|in the bag|out the door|crossed off|checked off|ticked off|✅|✔️?|☑️?)`;
  // "the deck isn't done after all", "unmark the deck".
  if ((m = /^(?:unmark|un-?done|reopen|re-open)\s+(.+)$/.exec(s)) || (m = new RegExp(String.raw`^(.+?)\s+(?:is|was|are)(?:n'?t| not)\s+(?:actually\s+|really\s+)?${DONE}\b.*$`).exec(s)) || (m = /^mark\s+(.+?)\s+(?:as\s+)?(?:not done|undone|open|planned)$/.exec(s))) {
    if (ok(m[1]!)) return { op: 'reopen_rocks', names: names(m[1]!) };
  }
  if ((m = new RegExp(String.raw`^(?:mark|set|tick|check|cross)\s+(?:off\s+)?(.+?)\s+(?:as\s+)?(?:${DONE}|off)$`).exec(s)) || (m = /^(?:tick|check|cross)\s+off\s+(.+)$/.exec(s)) || (m = /^done\s*(?:with|:|-)\s*(.+)$/.exec(s))) {
    return { op: 'done_rocks', names: names(m[1]!) };
  }
  if ((m = /^(?:i\s+|i'?m\s+|we\s+)?(?:already\s+|just\s+|finally\s+|totally\s+)?(?:finished|completed|shipped|done with|wrapped up|got through|nailed|sent off|submitted|knocked out|got)\s+(.+?)(?:\s+done)?(?:\s+already|\s+today|\s+yesterday|\s+early|\s+this morning)?$/.exec(s)) && ok(m[1]!) && (rockTitles.length > 0 || !/^(?:i\s+)?got\b/.test(s))) {
    return { op: 'done_rocks', names: names(m[1]!) };
  }
  if ((m = new RegExp(String.raw`^(.+?)\s+(?:is|was|are|'s|got|has been|have been)\s+(?:all\s+|already\s+|finally\s+|totally\s+)?${DONE}(?:\s|$|!|,)`).exec(`${s} `)) && ok(m[1]!)) return { op: 'done_rocks', names: names(m[1]!) };
  // "i hired a designer!": a past-tense sentence that says nearly all of a rock's title.
  if ((m = /^(?:i|we)\s+(?:just\s+|already\s+|finally\s+|actually\s+)?(\w+ed\b.*)$/.exec(s))) {
    const said = m[1]!;
    const hit = rockTitles.find((r) => nameScore(said, r) >= Math.max(2, 0.75 * keyWords(r).length));
    if (hit) return { op: 'done_rocks', names: [hit] };
  }
  if ((m = new RegExp(String.raw`^(.+?)\s*[:-]?\s+${DONE}$`).exec(s)) && m[1]!.split(' ').length <= 6 && rockTitles.length > 0 && ok(m[1]!)) return { op: 'done_rocks', names: names(m[1]!) };
  return undefined;
}

function dropRocksEdit(s: string, rockTitles: string[]): EditCommand | undefined {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^(?:drop|remove|delete|cut|scrap|ditch|forget(?: about)?|kill|lose|scratch|get rid of|nix|axe)\s+(.+?)(?:\s+(?:from|off)\s+(?:the|my)\s+(?:list|${ROCK_WORDS}))?(?:[,.;]\s*(?:those|they|it|that|these|i|we)\b.*)?$`).exec(s))) {
    const all = names(m[1]!);
    // "drop the hiring one, no time this week": the reason is not a rock.
    const named = all.filter((n) => namesRock(n, rockTitles));
    return { op: 'drop_rocks', names: named.length ? named : all };
  }
  if ((m = /^(?:take|get)\s+(.+?)\s+off\s+(?:the|my)\s+(?:list|rocks|priorities|plate)$/.exec(s)) ||
    (m = /^i'?m (?:dropping|skipping|cutting|ditching|scrapping|parking|shelving)\s+(.+?)(?:\s+this week|\s+for now)?$/.exec(s)) ||
    (m = /^i (?:don'?t|dont|do not) (?:need|want|have time)(?: to do| to| for)?\s+(.+?)(?:\s+any ?more|\s+this week|\s+after all)?$/.exec(s)) || (m = /^i'?m not (?:doing|going to do|gonna do|gonna get to|getting to)\s+(.+?)(?:\s+this week|\s+after all|\s+anymore|\s+any more)?$/.exec(s)) || (m = /^no (.+?) this week$/.exec(s))) {
    if (namesRock(m[1]!, rockTitles)) return { op: 'drop_rocks', names: names(m[1]!) };
  }
  if ((m = /^(.+?)(?:'s|s)?\s+(?:can wait|is not happening|isn'?t happening|isnt happening|not happening|won'?t happen|wont happen|is not gonna happen|isn'?t gonna happen|is cancelled|is canceled|got cancell?ed|is off|is off the table|can go|has to go|is dead)\b.*$/.exec(s)) && rockTitles.length > 0 && namesRock(m[1]!, rockTitles) && !/\bblocks?\b|\bminutes?\b|\bmin\b/.test(m[1]!)) {
    return { op: 'drop_rocks', names: names(m[1]!) };
  }
  return undefined;
}

const MINUTES_RE = String.raw`(\d+(?:\.\d+)?|an?|one|two|three|half an?)\s*(h|hrs?|hours?|m|mins?|minutes?)`;

/** Minutes in "45 min", "1.5 hours", "an hour", "half an hour". */
function minutesOf(amount: string, unit: string): number {
  const n = /^half/.test(amount) ? 0.5 : /^(?:an?|one)$/.test(amount) ? 1 : amount === 'two' ? 2 : amount === 'three' ? 3 : Number(amount);
  return Math.round(/^h/.test(unit) ? n * 60 : n);
}

/** "extend the deck block to 12", "shorten the gym to 45 min", "move the deck block 1 hour later". */
function blockSizeEdit(s: string): EditCommand | undefined {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^(?:move|shift|push|bump|make|start)\s+(.+?)\s+(?:by\s+)?${MINUTES_RE}\s+(later|earlier|sooner|forward|back)$`).exec(s))) {
    const minutes = minutesOf(m[2]!, m[3]!);
    return { op: 'shift_block', target: m[1]!, minutes: /later|back/.test(m[4]!) ? minutes : -minutes };
  }
  if (
    (m = /^(extend|lengthen|shorten|cut|trim|make)\s+(.+?)\s+(to|until|till|by|into|last|be)\s+(.+?)(?:\s+(?:long|longer|shorter|instead))?$/.exec(s)) ||
    (m = new RegExp(String.raw`^(extend|lengthen|shorten|cut|trim|make)\s+(.+?)\s+()(${MINUTES_RE.replace(/\((?!\?)/g, '(?:')})(?:\s+(?:long|longer|shorter|instead))?$`).exec(s))
  ) {
    const [, verb, target, prep, rest] = m as unknown as [string, string, string, string, string];
    if (/\b(?:review|vision|rule|environment)\b/.test(target) || daysIn(rest).length) return undefined;
    const d = new RegExp(String.raw`^${MINUTES_RE}$`).exec(rest.trim());
    if (d) {
      const minutes = minutesOf(d[1]!, d[2]!);
      if (prep === 'by') return { op: 'resize_block', target, by: /^(?:shorten|cut|trim)$/.test(verb) ? -minutes : minutes };
      return { op: 'resize_block', target, minutes };
    }
    if (verb !== 'make' && (prep === 'to' || prep === 'until' || prep === 'till') && /^(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)?|noon|midday)$/.test(rest.trim())) return { op: 'resize_block', target, end: rest.trim() };
  }
  return undefined;
}

/** What an edit may be read against: the week's rock titles and environment changes. */
export interface EditContext {
  rockTitles: string[];
  environment?: string[];
}

/** Edit commands such as "move the launch brief block from wed 2-4pm to thu 1-3pm" or "put the deck first". */
export function readEdit(text: string, ctx: EditContext | string[]): EditCommand | undefined {
  const { rockTitles, environment = [] } = Array.isArray(ctx) ? { rockTitles: ctx } : ctx;
  // A message of several lines is a list or a whole plan, not one command.
  if (text.trim().split(/\n+/).filter((l) => l.trim()).length > 2) return undefined;
  const t = normalize(text);
  const s = commandText(text);
  let m: RegExpExecArray | null;
  const vision = visionEdit(text, t, s);
  if (vision) return vision;
  const review = /\b(?:review|reflection|retro)\b/.test(s) ? reviewEdit(s) : undefined;
  if (review) return review;
  const order = rockOrderEdit(s, rockTitles);
  if (order) return order;
  if ((m = /^(?:delete|remove|cancel|clear|kill|scrap|get rid of|take out|take off|drop)\s+(?:the|my|that)?\s*([^,;]+?)\s*(?:block|slot|session|time)s?\b(.*)$/.exec(s))) {
    return { op: 'delete_block', target: `${m[1]!} ${m[2]!}`.trim() };
  }
  const sized = blockSizeEdit(s);
  if (sized) return sized;
  // "swap the tue and wed blocks", "switch tuesday and thursday".
  if ((m = /^(?:swap|switch|flip|exchange|trade)\s+(?:the\s+|my\s+)?(.+?)\s+(?:and|with|&|for)\s+(?:the\s+|my\s+)?(.+?)(?:\s+(?:blocks?|sessions?|slots?))?(?:\s+(?:a)?round)?$/.exec(s)) && (/\b(?:blocks?|sessions?|slots?)\b/.test(s) || (daysIn(m[1]!).length === 1 && daysIn(m[2]!).length === 1))) {
    const clean = (x: string) => x.replace(/\s+(?:blocks?|sessions?|slots?)$/, '').trim();
    return { op: 'swap_blocks', targets: [clean(m[1]!), clean(m[2]!)] };
  }
  // "cancel saturday": every block that day.
  if ((m = /^(?:cancel|clear|free up|delete|remove|wipe)\s+(?:on\s+|all of\s+|everything on\s+|my\s+)?(\w+)$/.exec(s)) && daysIn(m[1]!).length === 1) return { op: 'delete_block', target: m[1]! };
  const env = environmentEdit(text, s, environment);
  if (env) return env;
  // "make the tue block 10-12 instead of 9-11".
  if ((m = /^(?:make|change|set|switch|have)\s+(.+?\b(?:block|session|slot|deep work|recovery|gym|walk|run|yoga)s?)\s+(?:to\s+|into\s+|be\s+|at\s+)?(.+?)(?:\s+instead(?:\s+of\s+.+)?)?$/.exec(s)) && timed(m[2]!) && !/\breview\b/.test(m[1]!)) {
    return { op: 'move_block', target: m[1]!.replace(/^(?:the|my)\s+/, ''), to: m[2]! };
  }
  if ((m = /^(?:schedule|pencil in|slot in|squeeze in|fit in)\s+(?:an?\s+|another\s+|some\s+)?(.+?)\s+((?:on|at|for|in|every)\s+.+)$/.exec(s)) && timed(m[2]!)) {
    return { op: 'add_block', kind: /\b(recovery|unplug|break|rest|gym|walk|run|yoga|swim|nap|workout|time off)\b/.test(m[1]!) ? 'recovery' : 'other', what: `${m[1]!} ${m[2]!}`, when: m[2]! };
  }
  if (((m = /^(?:move|shift|push|reschedule|change|switch|swap|put|bump)\s+(.+?)\s+(?:to|into|over to|onto)\s+(.+)$/.exec(s)) || (m = /^put\s+(.+?)\s+(?:on|at|for|in|every)\s+(.+)$/.exec(s))) && timed(m[2]!)) {
    return { op: 'move_block', target: m[1]!.replace(/^(?:the|my)\s+/, ''), to: m[2]! };
  }
  if ((m = /^(?:i can'?t (?:do|make)(?: it)?|i cant (?:do|make)(?: it)?|i'?m busy|im busy|not free|i'?m (?:sick|off|away|out|travell?ing|on holiday|on vacation|out of office|ooo|not around|not working)|im (?:sick|off|away|out|travell?ing)|i am (?:sick|off|away|out|busy|travell?ing))\s+(?:on\s+|all\s+)?(.+?)(?:\s+any ?more|\s+after all|\s+now)?(?:\s*[,.;].*)?$/.exec(s)) && timed(m[1]!)) {
    return { op: 'delete_block', target: m[1]! };
  }
  const rename = renameEdit(text, s, rockTitles);
  if (rename) return rename;
  const status = rockStatusEdit(s, rockTitles);
  if (status) return status;
  const drop = dropRocksEdit(s, rockTitles);
  if (drop) return drop;
  if ((m = /^(?:add|book|schedule|put in|block(?: out)?|plan)\s+(?:an?\s+|another\s+|some\s+)?(.+)$/.exec(s)) && (mentionsTime(m[1]!) || /\b(mon|tue|wed|thu|fri|sat|sun)/.test(m[1]!))) {
    const what = m[1]!;
    const kind: BlockKind = /\b(recovery|unplug|break|rest|off|gym|walk|run|yoga|swim|nap|workout|time off)\b/.test(what)
      ? 'recovery'
      : /\b(deep work|focus|deep|work on)\b/.test(what) || rockTitles.some((r) => normalize(what).includes(normalize(r).split(' ').slice(0, 2).join(' ')))
        ? 'deep_work'
        : 'other';
    return { op: 'add_block', kind, what, when: what };
  }
  if (
    ((m = /^(?:also\s+)?(?:add|new|another|one more)\s+(?:a\s+|another\s+|one more\s+|a new\s+|new\s+)?(?:big\s+)?(?:rock|priority)\s*(?::|-|–|—|,)?\s*(.+)$/.exec(s)) ||
      (m = /^(?:also\s+)?add\s+(.+?)\s+(?:as|to)\s+(?:a\s+|another\s+|my\s+|the\s+)?(?:(?:big\s+)?rocks?|priorit(?:y|ies))(?:\s+too)?$/.exec(s))) &&
    !bookable(m[1]!)
  ) {
    return { op: 'add_rocks', titles: readList(asTyped(text, m[1]!)) };
  }
  if ((m = /^(?:add|also add|new rock:?|add a rock:?|add rock:?|one more rock:?|another rock:?)\s+(?:a\s+)?(?:rock|priority)?\s*:?\s*(.+)$/.exec(s)) && !mentionsTime(m[1]!)) {
    if (/^(?:rock|priority)/.test(s.replace(/^add\s+(?:a\s+)?/, '')) || /\b(rock|priority)\b/.test(s)) return { op: 'add_rocks', titles: readList(asTyped(text, m[1]!.replace(/^(?:rock|priority)\s*:?\s*/, ''))) };
  }
  return undefined;
}

// ------------------------------------------------------------------ the reading

const CORRECTION_RE =
  /^(?:(?:oops|whoops|oh|ah|my bad|argh|ugh|hmm)[,.!]*\s+)?(?:no[,.!]?\s+(?:i said|i meant|i mean|it'?s|its|make it|(?:that'?s|thats)(?!\s+(?:it|all|everything|fine|enough|good|ok))|not)|nope[,.]\s|no no|wait[,.!]?\s*(?:that'?s|thats|no|i)|actually[,.]?\s*(?:make|change|i meant|it'?s|no)|sorry[,.]?\s*i meant|i meant|i said|that'?s (?:wrong|not (?:right|what i said|what i meant))|thats (?:wrong|not right)|wrong|not what i (?:said|meant)|you got (?:it|that) wrong|make (?:it|that|thursday|monday|tuesday|wednesday|friday|saturday|sunday|them)\b.*\binstead\b|.*\binstead\b$|change (?:it|that) to|correction)/;

const CHITCHAT_RE =
  /^(?:(?:thanks|thank you|thx|ty|cheers|cool|nice|great|awesome|lol|haha|hmm+|ok cool|hello|hi|hey|yo|good morning|ugh|argh|wtf)\b|this is (?:annoying|confusing|hard|dumb|stupid)|you'?re (?:annoying|useless|not listening)|that'?s annoying|i'?m (?:tired|confused|stressed|overwhelmed)|.*\b(?:aren'?t|arent|isn'?t|isnt|won'?t|wont|don'?t|dont|not) (?:happening|working|realistic|gonna happen|possible)\b.*)/;

// "hey!", "hey can we plan next week?", "hi, let's plan this week." in front of the real content.
const OPENING_RE =
  /^\s*(?:(?:hey|hi+|hello|yo|hiya|morning|good (?:morning|evening|afternoon))(?: there)?\b[\s,!.]*)?(?:(?:so\s+)?(?:can|could|shall) we (?:plan|do) (?:next|this|the coming) week\b[?.!]*|let'?s (?:plan|do) (?:next|this|the coming) week\b[?.!]*|(?:i want to |i'?d like to )?plan (?:next|this) week\b[?.!]*)?[\s,!.]*/i;

/** The message without a greeting or week request in front, when real content follows it. */
function withoutOpening(message: string): string {
  const m = OPENING_RE.exec(message);
  const rest = m ? message.slice(m[0].length) : message;
  return rest !== message && countWords(rest) >= 4 && !/^(?:how are|how'?s it|what'?s up)\b/i.test(rest) ? rest : message;
}

/** "hmm and apply to 3 jobs i guess", "lol ok: deck, report": a sound first, then an answer. */
function interjectionThenAnswer(bare: string): boolean {
  const m = /^(?:(?:hmm+|lol|haha|cool|nice|great|awesome|ok cool)[\s,.!]+)+/.exec(bare);
  return m !== null && countWords(bare.slice(m[0].length).replace(/^(?:and|also|so|ok|okay)\s+/, '')) >= 3;
}

const DECLINE_RE =
  /\b(?:doesn'?t|does not|won'?t|don'?t|do not) need (?:any )?(?:deep work|a block|blocks|focus time|time)\b|\bno time for (?:it|that|this)\b|^not (?:this|that) one\b|^(?:it'?s )?not needed\b|^no reviews?\b|\bdon'?t (?:do|want|need) (?:a |the )?reviews?\b/;

export function understand(message: string, ctx: ReadingContext): Reading {
  const content = withoutOpening(message);
  if (content !== message) {
    const inner = understand(content, ctx);
    const week = /\bnext week\b/i.test(message.slice(0, message.length - content.length)) ? ('next' as const) : inner.week;
    return { ...inner, ...(week ? { week } : {}) };
  }
  const t = normalize(message);
  const bare = strip(t);
  const askedArea: keyof Vision | null = ctx.pending === 'vision.work' ? 'work' : ctx.pending === 'vision.self' ? 'self' : ctx.pending === 'vision.relationships' ? 'relationships' : null;
  const base = { text: message.trim(), vision: {}, slots: readTimeSlots(message, { today: ctx.today }) } satisfies Omit<Reading, 'intent'>;

  if (isOtherLanguage(message)) return { ...base, intent: 'other_language' };
  if (/\b(next|this|coming|the following)\s+week\b/.test(t) && !readEdit(message, ctx) && /\b(plan|planning|do|work on|switch|instead|let'?s|can we|want|rather|start)\b/.test(t) && !mentionsTime(t) && t.split(' ').length <= 14) {
    return { ...base, intent: 'week', week: /\bthis\s+week\b/.test(t) ? 'this' : 'next' };
  }
  // "hmm actually it isnt done, undo pls": a short message that asks to undo.
  if (BACK_RE.test(bare) || (/\b(?:undo|revert)\b(?:\s+(?:that|it|this|pls|please|plz))*$/.test(bare) && bare.split(' ').length <= 10)) return { ...base, intent: 'back' };
  // "that one doesn't need deep work", "no time for that this week", "not this one": declines.
  if (DECLINE_RE.test(bare)) return { ...base, intent: 'skip' };
  const named = withDayNames(message, ctx.today);
  // readEdit takes the block in "delete the saturday recovery" for a rock; the other block edits it reads itself.
  const blockFirst = readBlockEdit(withoutOpeners(named));
  const edit = blockFirst?.op === 'delete_block' ? blockFirst : (readEdit(named, ctx) ?? readEdit(withoutOpeners(named), ctx) ?? blockFirst);
  // "for work: lead the platform team instead" is an edit; "make thursday 10-12 instead" corrects the last booking.
  // A block edit that names no block ("make it thursday instead") corrects the last booking.
  const blockEdit = edit && (edit.op === 'add_block' || ((edit.op === 'move_block' || edit.op === 'delete_block') && !/\b(?:block|session|slot|deep work)\b/.test(edit.target)));
  // "can we do 3pm instead" to a suggested time picks another time; it corrects nothing said before.
  const insteadOfSuggestion = (ctx.pending === 'review_time' || ctx.pending === 'confirm') && !CORRECTION_RE.test(bare.replace(/\binstead(?: of [a-z]+)?\b/g, '').trim());
  const plainNo = NO_RE.test(bare) && !noThenAnswer(bare);
  if (CORRECTION_RE.test(bare) && !plainNo && !insteadOfSuggestion && (!edit || blockEdit)) return { ...base, intent: 'correction' };
  if (edit && !(edit.op === 'add_block' && (ctx.pending === 'deep_work' || ctx.pending === 'recovery') && !/^(add|book|schedule)\b/.test(bare))) return { ...base, intent: 'edit', edit };
  const mine = ownPlanQuestion(t);
  if (mine) return { ...base, intent: 'question', topic: 'general', mine };
  // "no, 3-5pm" once the plan is done corrects the last change.
  if (ctx.pending === null && /^(?:no|nope|nah)\b[\s,.!]+\S/.test(bare) && (base.slots.kind === 'slots' || mentionsTime(bare))) return { ...base, intent: 'correction' };
  // "can i skip this?", "let's move on": a skip asked as a question.
  if (/^(?:can|could|may|shall) (?:i|we) (?:just )?(?:skip|pass|move on)\b|^(?:let'?s|ok let'?s|can we) (?:just )?(?:move on|skip)|^moving on\b/.test(bare)) return { ...base, intent: 'skip' };
  // "i'm not sure what you mean": a question about the question.
  if (/\b(?:not sure what you mean|don'?t (?:understand|get (?:it|what you mean))|what does that mean)\b/.test(bare)) return { ...base, intent: 'question', topic: 'general' };
  if (isQuestion(t)) return { ...base, intent: 'question', topic: topicOf(t) };
  if ((SKIP_RE.test(bare) && !hedgedAnswer(bare) && !mentionsTime(bare)) || (/\b(skip|pass)\b/.test(bare) && bare.split(' ').length <= 5)) return { ...base, intent: 'skip' };
  // "no email before 10" is an environment rule, not a no.
  const rule = ctx.pending === 'environment' && /^no\s+(?!thanks?\b|thank you|idea|clue|more\b|changes?\b|need|i\b|not\b|way\b|really|nothing|none)[a-z]+/.test(bare);
  if (NO_RE.test(bare) && bare.split(' ').length <= 6 && !noThenAnswer(bare) && !rule) return { ...base, intent: 'no' };
  // "i already have a good setup", "it's fine as it is", "no need": nothing to add.
  if (/\b(?:already (?:have|got|good|fine|set|sorted|done)|fine as (?:it )?is|good as (?:it )?is|nothing to (?:change|add)|no need)\b/.test(bare) && bare.split(' ').length <= 8) return { ...base, intent: 'no' };
  // "yes two is enough", "ok that's it", "i'm good for now": declines, whatever word opens them.
  if (/\b(?:is|are|'s|s) enough\b|^(?:yes|yeah|yep|ok|okay|sure)?[\s,.!]*(?:that'?s (?:it|all|everything|enough)|no more|nothing else|good for now|i'?m good)\b/.test(bare) && bare.split(' ').length <= 8) return { ...base, intent: 'no' };
  // "cool thanks" with nothing pending is thanks, not a yes.
  if (ctx.pending === null && /\b(?:thanks|thank you|thx|ty|cheers)\b/.test(bare) && bare.split(' ').length <= 5) return { ...base, intent: 'chitchat' };
  if (isYes(bare)) return { ...base, intent: 'yes' };
  if (CHITCHAT_RE.test(bare) && base.slots.kind === 'unclear' && !interjectionThenAnswer(bare)) return { ...base, intent: 'chitchat' };
  const vision = readVision(message, askedArea);
  // Once the plan is done, "for relationships I want to see my parents monthly" changes that part.
  if (ctx.pending === null && Object.keys(vision).length && !bookable(t) && !/\b(?:this week|today|tomorrow)\b/.test(t)) return { ...base, intent: 'edit', edit: { op: 'vision', vision } };
  return { ...base, intent: 'answer', vision };
}
