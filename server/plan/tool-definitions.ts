// JSON schemas of the coach's plan tools, written by hand so descriptions can coach the
// model (rocks first, 45-minute deep work) instead of merely typing the fields.

import { BLOCK_KINDS, EDITABLE_ROCK_STATUSES } from '../contract/kinds.ts';
import type { LlmToolDef } from '../llm/port.ts';
import { MAX_ACTIVE_ROCKS, MAX_ENVIRONMENT_CHANGES, MAX_NOTE_CHARS, MAX_PLAN_TITLE_CHARS, MAX_VISION_PART_CHARS, MIN_DEEP_WORK_MINUTES } from './rules.ts';
import { DAY_NAMES } from './week.ts';

const str = (description: string, maxLength = MAX_PLAN_TITLE_CHARS) => ({ type: 'string', description, maxLength });
/** The API's HH:MM, plus "24:00" for a block that ends at midnight. */
const TOOL_HHMM_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$';

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[]): LlmToolDef {
  return { name, description, parameters: { type: 'object', properties, required, additionalProperties: false } };
}

export const PLAN_TOOL_DEFINITIONS: readonly LlmToolDef[] = [
  tool(
    'set_vision',
    'Save the 12-month celebration vision: what the person would celebrate a year from now at work, for themselves and in their relationships. Replaces the previous vision.',
    {
      work: str('At work.', MAX_VISION_PART_CHARS),
      self: str('For themselves: health, learning, rest.', MAX_VISION_PART_CHARS),
      relationships: str('In relationships: family, friends, community.', MAX_VISION_PART_CHARS),
    },
    ['work', 'self', 'relationships'],
  ),
  tool(
    'add_rock',
    `Add one big rock (a priority that would make the week a win) to the week. At most ${MAX_ACTIVE_ROCKS} active rocks; email, admin and reactive meetings are pebbles and sand, not rocks.`,
    { title: str('Short, concrete outcome, e.g. "Ship the pricing page".') },
    ['title'],
  ),
  tool(
    'update_rock',
    'Rename a rock, set its status (planned, done or dropped) or move it to another place in the week\'s order. (Use carry_over_rocks to move it into next week.)',
    {
      rockId: str('Id from get_plan.'),
      title: str('New title.'),
      status: { type: 'string', enum: [...EDITABLE_ROCK_STATUSES] },
      position: { type: 'integer', minimum: 0, description: 'New place in the list of rocks, 0 = first (top priority).' },
    },
    ['rockId'],
  ),
  tool('remove_rock', 'Delete a rock added by mistake (to record that it was abandoned, set status dropped instead).', { rockId: str('Id from get_plan.') }, ['rockId']),
  tool(
    'add_time_block',
    `Put a block on the calendar in the person's time zone. deep_work blocks protect focus for a rock and last at least ${MIN_DEEP_WORK_MINUTES} minutes; schedule the rocks first. recovery blocks are breaks and time off on purpose.`,
    {
      day: str(`A weekday (${DAY_NAMES.join(', ')}) of the planned week, or a date "YYYY-MM-DD" inside it.`),
      start: { type: 'string', pattern: TOOL_HHMM_PATTERN, description: 'Local start time "HH:MM" (24-hour).' },
      end: { type: 'string', pattern: TOOL_HHMM_PATTERN, description: 'Local end time "HH:MM" (24-hour); "24:00" is midnight.' },
      kind: { type: 'string', enum: [...BLOCK_KINDS] },
      title: str('Calendar title; defaults to the rock title or the kind.'),
      rockId: str('The rock this deep work is for (id from get_plan).'),
    },
    ['day', 'start', 'end', 'kind'],
  ),
  tool('remove_time_block', 'Remove a block from the week.', { blockId: str('Id from get_plan.') }, ['blockId']),
  tool(
    'move_time_block',
    'Move or resize a block: give its new day, start and end. Kind, title and rock stay. If the new time is refused, the block stays where it was.',
    {
      blockId: str('Id from get_plan.'),
      day: str(`A weekday (${DAY_NAMES.join(', ')}) of the planned week, or a date "YYYY-MM-DD" inside it.`),
      start: { type: 'string', pattern: TOOL_HHMM_PATTERN, description: 'New local start "HH:MM".' },
      end: { type: 'string', pattern: TOOL_HHMM_PATTERN, description: 'New local end "HH:MM".' },
    },
    ['blockId', 'day', 'start', 'end'],
  ),
  tool(
    'set_review_time',
    'Set when the person does the Friday review (default Friday 16:00–16:30; the calendar export uses it). Refused if it overlaps deep work or recovery — check with get_plan and propose a free time.',
    {
      day: str('Usually friday.'),
      start: { type: 'string', pattern: TOOL_HHMM_PATTERN, description: 'Local start "HH:MM".' },
      end: { type: 'string', pattern: TOOL_HHMM_PATTERN, description: 'Local end "HH:MM"; default 30 minutes after start.' },
    },
    ['start'],
  ),
  tool(
    'add_environment_commitment',
    `Record one change to the environment that makes focus easier, e.g. "Phone in another room". ${MAX_ENVIRONMENT_CHANGES} at most.`,
    { text: str('The change, in a few words.') },
    ['text'],
  ),
  tool('remove_environment_commitment', 'Remove an environment change.', { environmentId: str('Id from get_plan.') }, ['environmentId']),
  tool(
    'record_reflection',
    'Save the Friday review of the week. Give at least one field.',
    {
      wentWell: str('What went well; what happened to each rock.', MAX_NOTE_CHARS),
      timeNotes: str('Where time actually went compared with the plan.', MAX_NOTE_CHARS),
      drop: str('What to drop or do less of.', MAX_NOTE_CHARS),
      carryOver: str('What carries over to next week.', MAX_NOTE_CHARS),
    },
    [],
  ),
  tool(
    'carry_over_rocks',
    'Roll unfinished rocks into next week (or toWeek). A rock that has already rolled over twice must be shrunk (give a smaller title) or split (list it twice with two titles) — or dropped with update_rock.',
    {
      rocks: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_ACTIVE_ROCKS * 2,
        items: {
          type: 'object',
          properties: { rockId: str('Id from get_plan.'), title: str('Optional smaller or split-off version.') },
          required: ['rockId'],
          additionalProperties: false,
        },
      },
      toWeek: { type: 'string', pattern: '^\\d{4}-W\\d{2}$', description: 'Target ISO week, default: the week after the planned week.' },
    },
    ['rocks'],
  ),
  tool('get_plan', 'Read the current week: vision, rocks with ids and status, blocks by day, environment, reflections.', {}, []),
];
