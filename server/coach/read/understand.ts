// Understanding, separate from the dialogue: one message + the pending question + today →
// a reading with an intent and entities. Pure: no store, no clock, no I/O. The dialogue
// policy (plan-flow.ts) decides what to do with a reading.

import type { Vision } from '../../plan/types.ts';
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

export type FocusTopic = 'rock' | 'focus' | 'unplug' | 'deep_work' | 'minutes' | 'environment' | 'vision' | 'review' | 'sand' | 'recovery' | 'why' | 'general';

export type EditCommand =
  | { op: 'move_block'; target: string; to: string }
  | { op: 'delete_block'; target: string }
  | { op: 'add_block'; kind: 'deep_work' | 'recovery' | 'other'; what: string; when: string }
  | { op: 'drop_rocks'; names: string[] }
  | { op: 'done_rocks'; names: string[] }
  | { op: 'rename_rock'; name: string; to: string }
  | { op: 'add_rocks'; titles: string[] }
  | { op: 'reorder_rock'; name: string; position: number }
  | { op: 'review_time'; when: string }
  | { op: 'add_environment'; items: string[] }
  | { op: 'remove_environment'; name: string }
  | { op: 'vision'; vision: Partial<Vision> };

export interface ReadingContext {
  /** The id of the question waiting for an answer, or null. */
  pending: string | null;
  /** Today, 0 = Monday, in the person's zone (only meaningful inside the planned week). */
  today?: number;
  rockTitles: string[];
}

export interface Reading {
  intent: Intent;
  /** The message with filler removed. */
  text: string;
  topic?: FocusTopic;
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
const BACK_RE = /^(back|go back|previous( question)?|undo( that)?|take (that|it) back|scratch that|never ?mind)\b/;

// What may follow a no and keep it a plain no: "nope, that's it", "no thanks, all good for now".
const NO_TAIL_RE = /^(?:[\s,.!]|thanks|thank you|thx|ty|not really|changes?|needed|need|for me|here|(?:my |the )?(?:setup|room|desk|space|environment|it|everything)(?: is|'s)? (?:fine|good|ok|okay|great)(?: as (?:it )?is)?|i'?m good|we'?re good|that'?s (?:it|all|fine|enough|everything)|thats (?:it|all)|nothing(?: else| more)?|none|all good|good|for now|more|else|sorry|lol|i think|please|pls|not (?:now|this week|today)|this week|need|needed|way|idea|it|that|all|done|i'?m done|enough|fine|ok|okay)*$/;

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
  const hasDay = tokens.slice(i).some((w) => dayOfWord(w.replace(/[()]/g, '')) !== null || /^(?:today|tonight|tomorrow)$/i.test(w));
  return hasDay && readTimeSlots(tail, { today: 0 }).kind === 'slots' ? tokens.slice(0, i).join(' ') : item;
}

/** Cleans one list item: bullets, filler ("ok so", "honestly just", "oh"), trailing punctuation. */
export function tidyItem(raw: string): string {
  let t = raw.replace(BULLET_RE, '').trim();
  for (let i = 0; i < 3; i++) {
    t = t.replace(FILLER_START, '').replace(LIST_LEAD, '').replace(/^(?:and|also|then|plus|oh|&)\s+/i, '').trim();
  }
  t = withoutTrailingTime(t)
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
  ['relationships', /\b(?:(?:for|in) (?:my )?relationships?|relationships?(?:-|\s)?wise|relationships?|family|friends|people|partner|socially|with (?:my )?(?:wife|husband|partner|kids|family|friends))\b\s*[:\-–—,]?\s*/i],
];

/** "I'd love to have my thesis submitted" → "my thesis submitted": the wish, not the wrapper. */
function cleanVision(s: string): string {
  return s
    .replace(FILLER_START, '')
    .replace(/^(?:i'?d|i would|i'?ll|i will|i want to|i wanna|i hope to|i'd like to|i would like to)\s+(?:(?:love|like|want|hope)\s+to\s+|celebrate\s+|be celebrating\s+)?/i, '')
    .replace(/^(?:to\s+)?have\s+(?=my|our|the|a)\b/i, '')
    .replace(/^celebrate\s+/i, '');
}

/**
 * Vision parts named anywhere in a message ("work: ship v2. for me: run a half. family: …").
 * Only explicit markers split a message; unmarked text belongs to the asked-for part.
 */
export function readVision(text: string, asked: keyof Vision | null): Partial<Vision> {
  const sentences = text
    .split(
      /(?<=[.!;\n])\s+|\n+|\s*;\s*|\s+[/|]\s+|,\s*(?=(?:and\s+)?(?:for|at|in|with|work|career|personally|professionally|health|family|friends|relationships?)\b)|\s+and\s+(?=(?:for (?:me|myself|work|my)|with (?:my )?(?:wife|husband|partner|kids|family|friends)|personally|professionally|relationships?|in my relationships|family|friends|at work|work-?wise)\b)/i,
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
        if (area === 'relationships' && !/[:\-–—,]/.test(m[0]!) && !/^(?:(?:for|in) (?:my )?)?relationships?/i.test(m[0]!.trim())) rest = lead;
        if (area === 'self' && /^health/i.test(m[0]!) && !/[:\-–—]/.test(m[0]!)) rest = lead;
        break;
      }
    }
    if (hit) current = hit;
    if (current) add(current, cleanVision(hit ? rest : s));
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

function names(list: string): string[] {
  return list
    .split(/\s*(?:,|\band\b|&|\bplus\b|\bor\b)\s*/i)
    .map((s) =>
      s
        .replace(/\b(the|my|that|this|those|these|thing|one|ones|rocks?|priorit(?:y|ies)|too|as well|both)\b/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((s) => s.length > 1);
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

/** Edit commands such as "move the launch brief block from wed 2-4pm to thu 1-3pm". */
export function readEdit(text: string, rockTitles: string[]): EditCommand | undefined {
  const t = normalize(text).replace(/^(?:ok(?:ay)?|so|actually|hey|hmm|um|also|and|oh|wait|fair|ok fair|please|pls|can you|could you|can we|could we|would you|let'?s|i want to|i'?d like to|i need to)[\s,.!]+/g, '');
  const s = t.replace(/^(?:ok(?:ay)?|fair|so|please|pls|can you|could you|can we|let'?s)[\s,.!]+/g, '');
  let m: RegExpExecArray | null;
  if ((m = /^(?:move|shift|push|reschedule|change|switch|swap|put|bump)\s+(.+?)\s+(?:to|into|over to|onto)\s+(.+)$/.exec(s)) && (mentionsTime(m[2]!) || daysIn(m[2]!).length)) {
    return { op: 'move_block', target: m[1]!.replace(/^(?:the|my)\s+/, ''), to: m[2]! };
  }
  if ((m = /^(?:delete|remove|cancel|clear|kill|scrap|get rid of|take out|take off|drop)\s+(?:the|my|that)?\s*(.+?)\s*(?:block|slot|session|time)s?\b(.*)$/.exec(s))) {
    return { op: 'delete_block', target: `${m[1]!} ${m[2]!}`.trim() };
  }
  if ((m = /^(?:i can'?t (?:do|make)|i'?m busy|not free)\s+(?:on\s+)?(.+?)(?:\s+any ?more|\s+after all)?$/.exec(s)) && (mentionsTime(m[1]!) || daysIn(m[1]!).length)) {
    return { op: 'delete_block', target: m[1]! };
  }
  if ((m = /^(?:rename|call)\s+(.+?)\s+(?:to|as)\s+(.+)$/.exec(s)) || (m = /^change\s+(?:the\s+)?(?:rock\s+)?(.+?)\s+(?:rock\s+)?to\s+(.+)$/.exec(s))) {
    if (!mentionsTime(m[2]!)) return { op: 'rename_rock', name: m[1]!.replace(/^(?:the|my)\s+/, '').replace(/\s+rock$/, ''), to: tidyItem(text.slice(text.toLowerCase().lastIndexOf(m[2]!.slice(0, 8)))) };
  }
  if ((m = new RegExp(String.raw`^(?:drop|remove|delete|cut|scrap|ditch|forget|kill|lose|scratch)\s+(.+?)(?:\s+(?:from|off)\s+(?:the|my)\s+(?:list|${ROCK_WORDS}))?(?:[,.;]\s*(?:those|they|it|that|these)\b.*)?$`).exec(s))) {
    return { op: 'drop_rocks', names: names(m[1]!) };
  }
  if ((m = /^(?:mark|set)\s+(.+?)\s+(?:as\s+)?(?:done|finished|complete|completed)$/.exec(s)) || (m = /^(?:i\s+)?(?:finished|completed|shipped|done with)\s+(.+)$/.exec(s)) || (m = /^(.+?)\s+(?:is|was|are)\s+(?:done|finished|complete|shipped)\b/.exec(s))) {
    return { op: 'done_rocks', names: names(m[1]!) };
  }
  if ((m = /^(?:make|put|move)\s+(.+?)\s+(?:my\s+)?(first|top|number one|#1|second|third|last)(?:\s+(?:rock|priority))?$/.exec(s))) {
    const positions: Record<string, number> = { first: 0, top: 0, 'number one': 0, '#1': 0, second: 1, third: 2, last: 99 };
    const position = positions[m[2]!] ?? 0;
    return { op: 'reorder_rock', name: m[1]!, position };
  }
  if ((m = /^(?:add|book|schedule|put in|block(?: out)?|plan)\s+(?:an?\s+|another\s+|some\s+)?(.+)$/.exec(s)) && (mentionsTime(m[1]!) || /\b(mon|tue|wed|thu|fri|sat|sun)/.test(m[1]!))) {
    const what = m[1]!;
    const kind: 'deep_work' | 'recovery' | 'other' = /\b(recovery|unplug|break|rest|off|gym|walk|run|yoga|swim|nap|workout|time off)\b/.test(what)
      ? 'recovery'
      : /\b(deep work|focus|deep|work on)\b/.test(what) || rockTitles.some((r) => normalize(what).includes(normalize(r).split(' ').slice(0, 2).join(' ')))
        ? 'deep_work'
        : 'other';
    return { op: 'add_block', kind, what, when: what };
  }
  if ((m = /^(?:add|also add|new rock:?|add a rock:?|add rock:?|one more rock:?|another rock:?)\s+(?:a\s+)?(?:rock|priority)?\s*:?\s*(.+)$/.exec(s)) && !mentionsTime(m[1]!)) {
    if (/^(?:rock|priority)/.test(s.replace(/^add\s+(?:a\s+)?/, '')) || /\b(rock|priority)\b/.test(s)) return { op: 'add_rocks', titles: readList(m[1]!.replace(/^(?:rock|priority)\s*:?\s*/, '')) };
  }
  if ((m = /\b(?:review|reflection)\b.*?\b(?:to|at|on|for)\s+(.+)$/.exec(s)) && (mentionsTime(m[1]!) || daysIn(m[1]!).length)) {
    return { op: 'review_time', when: m[1]! };
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
  if (/\b(next|this|coming|the following)\s+week\b/.test(t) && /\b(plan|planning|do|work on|switch|instead|let'?s|can we|want|rather|start)\b/.test(t) && !mentionsTime(t) && t.split(' ').length <= 14) {
    return { ...base, intent: 'week', week: /\bthis\s+week\b/.test(t) ? 'this' : 'next' };
  }
  if (BACK_RE.test(bare)) return { ...base, intent: 'back' };
  // "can we do 3pm instead" to a suggested time picks another time; it corrects nothing said before.
  const insteadOfSuggestion = (ctx.pending === 'review_time' || ctx.pending === 'confirm') && !CORRECTION_RE.test(bare.replace(/\binstead(?: of [a-z]+)?\b/g, '').trim());
  const plainNo = NO_RE.test(bare) && !noThenAnswer(bare);
  if (CORRECTION_RE.test(bare) && !plainNo && !insteadOfSuggestion) return { ...base, intent: 'correction' };
  const named = withDayNames(withoutOpeners(message), ctx.today);
  const edit = readBlockEdit(named) ?? readEdit(named, ctx.rockTitles);
  if (edit && !(edit.op === 'add_block' && (ctx.pending === 'deep_work' || ctx.pending === 'recovery') && !/^(add|book|schedule)\b/.test(bare))) return { ...base, intent: 'edit', edit };
  // "can i skip this?", "let's move on": a skip asked as a question.
  if (/^(?:can|could|may|shall) (?:i|we) (?:just )?(?:skip|pass|move on)\b|^(?:let'?s|ok let'?s|can we) (?:just )?(?:move on|skip)|^moving on\b/.test(bare)) return { ...base, intent: 'skip' };
  // "that one doesn't need deep work", "no time for that this week", "not this one": declines.
  if (/\b(?:doesn'?t|does not|won'?t|don'?t|do not) need (?:any )?(?:deep work|a block|blocks|focus time|time)\b|\bno time for (?:it|that|this)\b|^not (?:this|that) one\b|^(?:it'?s )?not needed\b|^no reviews?\b|\bdon'?t (?:do|want|need) (?:a |the )?reviews?\b/.test(bare)) return { ...base, intent: 'skip' };
  // "i'm not sure what you mean": a question about the question.
  if (/\b(?:not sure what you mean|don'?t (?:understand|get (?:it|what you mean))|what does that mean)\b/.test(bare)) return { ...base, intent: 'question', topic: 'general' };
  if (isQuestion(t)) return { ...base, intent: 'question', topic: topicOf(t) };
  if ((SKIP_RE.test(bare) && !hedgedAnswer(bare) && !mentionsTime(bare)) || (/\b(skip|pass)\b/.test(bare) && bare.split(' ').length <= 5)) return { ...base, intent: 'skip' };
  if (NO_RE.test(bare) && bare.split(' ').length <= 6 && !noThenAnswer(bare)) return { ...base, intent: 'no' };
  // "i already have a good setup", "it's fine as it is", "no need": nothing to add.
  if (/\b(?:already (?:have|got|good|fine|set|sorted|done)|fine as (?:it )?is|good as (?:it )?is|nothing to (?:change|add)|no need)\b/.test(bare) && bare.split(' ').length <= 8) return { ...base, intent: 'no' };
  // "yes two is enough", "ok that's it", "i'm good for now": declines, whatever word opens them.
  if (/\b(?:is|are|'s|s) enough\b|^(?:yes|yeah|yep|ok|okay|sure)?[\s,.!]*(?:that'?s (?:it|all|everything|enough)|no more|nothing else|good for now|i'?m good)\b/.test(bare) && bare.split(' ').length <= 8) return { ...base, intent: 'no' };
  if (isYes(bare)) return { ...base, intent: 'yes' };
  if (CHITCHAT_RE.test(bare) && base.slots.kind === 'unclear' && !interjectionThenAnswer(bare)) return { ...base, intent: 'chitchat' };
  return { ...base, intent: 'answer', vision: readVision(message, askedArea) };
}
