// The PlanToolbox over a PlanStore: the one path by which any coach changes a plan.
// Rule rejections come back from the store; this layer turns model JSON into store calls
// and every outcome into a sentence the model can act on.

import { MAX_ROCK_POSITION } from '../contract/http.ts';
import { BLOCK_KINDS, EDITABLE_ROCK_STATUSES } from '../contract/kinds.ts';
import { blockMinutes, blockTime, planForModel } from './describe.ts';
import { MAX_ACTIVE_ROCKS, MAX_NOTE_CHARS, MAX_PLAN_TITLE_CHARS, MAX_VISION_PART_CHARS, REVIEW_BLOCK_TITLE, activeRocks } from './rules.ts';
import type { PlanStore, WeekRef } from './store.ts';
import { ArgError, ArgReader, objectReader, parseArgs } from './tool-args.ts';
import { PLAN_TOOL_DEFINITIONS } from './tool-definitions.ts';
import type { PlanToolbox, ToolContext, ToolOutcome } from './toolbox.ts';
import type { BlockKind, PlanChange, WeekPlan } from './types.ts';
import { DAY_NAMES, dateOfWeekDay, dayIndexOfDate, isValidHhmm, isValidTimeZone, localToInstant, nextWeekKey, parseWeekKey, weekBounds } from './week.ts';

export interface PlanToolboxOptions {
  now?: () => Date;
}

export { REVIEW_BLOCK_TITLE } from './rules.ts';

type Handler = (args: ArgReader, ref: WeekRef) => Promise<ToolOutcome>;

function rejectedOutcome(change: { ok: false; reason: string }): ToolOutcome {
  return { ok: false, message: change.reason };
}

function changedOutcome(change: PlanChange<WeekPlan>, message: (plan: WeekPlan) => string): ToolOutcome {
  if (!change.ok) return rejectedOutcome(change);
  return { ok: true, message: message(change.value), plan: change.value };
}

function addHhmm(hhmm: string, minutes: number): string {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return hhmm;
  const t = Math.min(24 * 60, Number(m[1]) * 60 + Number(m[2]) + minutes);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

export function createPlanToolbox(store: PlanStore, options: PlanToolboxOptions = {}): PlanToolbox {
  const now = options.now ?? (() => new Date());

  /** Local day + times → instants; "24:00" ends at the next midnight. */
  function resolveBlockTimes(ref: WeekRef, day: string, start: string, end: string): { start: string; end: string } {
    const named = (DAY_NAMES as readonly string[]).indexOf(day.trim().toLowerCase());
    const dayIndex = named >= 0 ? named : dayIndexOfDate(ref.weekKey, day.trim());
    if (dayIndex === null) {
      throw new ArgError(
        `"day" must be a weekday name (${DAY_NAMES.join(', ')}) or a date inside ${ref.weekKey} (${dateOfWeekDay(ref.weekKey, 0)} to ${dateOfWeekDay(ref.weekKey, 6)}); got "${day}".`,
      );
    }
    if (!isValidHhmm(start)) throw new ArgError(`"start" must be a 24-hour time "HH:MM"; got "${start}".`);
    if (!isValidHhmm(end) && end !== '24:00') throw new ArgError(`"end" must be a 24-hour time "HH:MM" (or "24:00"); got "${end}".`);
    const endIso =
      end === '24:00'
        ? dayIndex === 6
          ? weekBounds(ref.weekKey, ref.timeZone).end
          : localToInstant(ref.weekKey, dayIndex + 1, '00:00', ref.timeZone)
        : localToInstant(ref.weekKey, dayIndex, end, ref.timeZone);
    return { start: localToInstant(ref.weekKey, dayIndex, start, ref.timeZone), end: endIso };
  }

  const handlers: Record<string, Handler> = {
    async set_vision(a, ref) {
      a.noOthers(['work', 'self', 'relationships']);
      const opts = { max: MAX_VISION_PART_CHARS, allowEmpty: true };
      const vision = { work: a.string('work', opts), self: a.string('self', opts), relationships: a.string('relationships', opts) };
      return changedOutcome(await store.setVision(ref, vision), () => 'Saved the 12-month celebration vision.');
    },

    async add_rock(a, ref) {
      a.noOthers(['title']);
      const change = await store.addRock(ref, a.string('title', { max: MAX_PLAN_TITLE_CHARS }));
      if (!change.ok) return rejectedOutcome(change);
      const { plan, id } = change.value;
      const rock = plan.rocks.find((r) => r.id === id)!;
      return { ok: true, message: `Added big rock ${activeRocks(plan).length} of ${MAX_ACTIVE_ROCKS} max: "${rock.title}" (id ${id}).`, plan, created: id };
    },

    async update_rock(a, ref) {
      a.noOthers(['rockId', 'title', 'status', 'position']);
      const rockId = a.string('rockId');
      const title = a.optionalString('title', { max: MAX_PLAN_TITLE_CHARS });
      const status = a.optionalOneOf('status', EDITABLE_ROCK_STATUSES);
      const position = a.optionalInteger('position', { min: 0, max: MAX_ROCK_POSITION });
      if (title === undefined && status === undefined && position === undefined) throw new ArgError('Give "title", "status" or "position" to change.');
      // `position` is a place in the list the person sees (active rocks, 0 = first); the store
      // numbers every rock of the week, dropped and carried ones too.
      let storePosition: number | undefined;
      if (position !== undefined) {
        const before = await store.getWeek(ref.userId, ref.weekKey, ref.timeZone);
        const active = activeRocks(before);
        const occupant = active[Math.min(position, active.length - 1)];
        storePosition = occupant ? [...before.rocks].sort((x, y) => x.position - y.position).findIndex((r) => r.id === occupant.id) : position;
      }
      return changedOutcome(await store.updateRock(ref, rockId, { title, status, position: storePosition }), (plan) => {
        const rock = plan.rocks.find((r) => r.id === rockId)!;
        const place = activeRocks(plan).findIndex((r) => r.id === rockId);
        return `Updated rock "${rock.title}" — status ${rock.status}${place >= 0 ? `, number ${place + 1} of ${activeRocks(plan).length}` : ''}.`;
      });
    },

    async remove_rock(a, ref) {
      a.noOthers(['rockId']);
      const rockId = a.string('rockId');
      const before = await store.getWeek(ref.userId, ref.weekKey, ref.timeZone);
      const title = before.rocks.find((r) => r.id === rockId)?.title;
      return changedOutcome(await store.removeRock(ref, rockId), () => `Removed rock "${title ?? rockId}".`);
    },

    async add_time_block(a, ref) {
      a.noOthers(['day', 'start', 'end', 'kind', 'title', 'rockId']);
      const kind = a.oneOf<BlockKind>('kind', BLOCK_KINDS);
      const times = resolveBlockTimes(ref, a.string('day'), a.string('start'), a.string('end'));
      const rockId = a.optionalString('rockId') ?? null;
      let title = a.optionalString('title', { max: MAX_PLAN_TITLE_CHARS });
      if (title === undefined) {
        const plan = await store.getWeek(ref.userId, ref.weekKey, ref.timeZone);
        const rock = rockId ? plan.rocks.find((r) => r.id === rockId) : undefined;
        title = rock ? rock.title : kind === 'deep_work' ? 'Deep work' : kind === 'recovery' ? 'Recovery' : 'Block';
      }
      const change = await store.addBlock(ref, { kind, title, start: times.start, end: times.end, rockId });
      if (!change.ok) return rejectedOutcome(change);
      const { plan, id } = change.value;
      const block = plan.blocks.find((b) => b.id === id)!;
      const past = Date.parse(block.end) <= now().getTime() ? ' Note: that time has already passed.' : '';
      const label = kind === 'deep_work' ? 'deep-work' : kind;
      return {
        ok: true,
        message: `Added ${label} block "${block.title}" ${blockTime(block, plan.timeZone)} (${blockMinutes(block)} min, id ${id}).${past}`,
        plan,
        created: id,
      };
    },

    async remove_time_block(a, ref) {
      a.noOthers(['blockId']);
      return changedOutcome(await store.removeBlock(ref, a.string('blockId')), () => 'Removed the block.');
    },

    async move_time_block(a, ref) {
      a.noOthers(['blockId', 'day', 'start', 'end']);
      const blockId = a.string('blockId');
      const times = resolveBlockTimes(ref, a.string('day'), a.string('start'), a.string('end'));
      const before = await store.getWeek(ref.userId, ref.weekKey, ref.timeZone);
      const old = before.blocks.find((b) => b.id === blockId);
      if (!old) return { ok: false, message: 'That block is not in this week’s plan.' };
      // Remove, then add at the new time; if the new time is refused, the old block goes back.
      const removed = await store.removeBlock(ref, blockId);
      if (!removed.ok) return rejectedOutcome(removed);
      const added = await store.addBlock(ref, { kind: old.kind, title: old.title, start: times.start, end: times.end, rockId: old.rockId });
      if (!added.ok) {
        await store.addBlock(ref, { kind: old.kind, title: old.title, start: old.start, end: old.end, rockId: old.rockId });
        return rejectedOutcome(added);
      }
      const block = added.value.plan.blocks.find((b) => b.id === added.value.id)!;
      return { ok: true, message: `Moved "${block.title}" to ${blockTime(block, added.value.plan.timeZone)} (id ${block.id}).`, plan: added.value.plan, created: block.id };
    },

    async set_review_time(a, ref) {
      a.noOthers(['day', 'start', 'end']);
      const times = resolveBlockTimes(ref, a.optionalString('day') ?? 'friday', a.string('start'), a.optionalString('end') ?? addHhmm(a.string('start'), 30));
      const before = await store.getWeek(ref.userId, ref.weekKey, ref.timeZone);
      // The review is protected time like deep work: it may not overlap deep work or recovery.
      const clash = before.blocks.find((b) => b.title !== REVIEW_BLOCK_TITLE && b.kind !== 'other' && Date.parse(b.start) < Date.parse(times.end) && Date.parse(times.start) < Date.parse(b.end));
      if (clash) return { ok: false, message: `It overlaps "${clash.title}" ${blockTime(clash, before.timeZone)}. Pick another time.` };
      // One representation with the HTTP route (PUT /review): the week's review slot.
      const change = await store.setReview(ref, times);
      if (!change.ok) return rejectedOutcome(change);
      return { ok: true, message: `Friday review set for ${blockTime(times, change.value.timeZone)}.`, plan: change.value };
    },

    async add_environment_commitment(a, ref) {
      a.noOthers(['text']);
      const change = await store.addEnvironment(ref, a.string('text', { max: MAX_PLAN_TITLE_CHARS }));
      if (!change.ok) return rejectedOutcome(change);
      const item = change.value.plan.environment.find((e) => e.id === change.value.id)!;
      return { ok: true, message: `Added environment change "${item.text}" (id ${item.id}).`, plan: change.value.plan, created: item.id };
    },

    async remove_environment_commitment(a, ref) {
      a.noOthers(['environmentId']);
      return changedOutcome(await store.removeEnvironment(ref, a.string('environmentId')), () => 'Removed the environment change.');
    },

    async record_reflection(a, ref) {
      a.noOthers(['wentWell', 'timeNotes', 'drop', 'carryOver']);
      const opts = { max: MAX_NOTE_CHARS, allowEmpty: true };
      const r = {
        wentWell: a.optionalString('wentWell', opts) ?? '',
        timeNotes: a.optionalString('timeNotes', opts) ?? '',
        drop: a.optionalString('drop', opts) ?? '',
        carryOver: a.optionalString('carryOver', opts) ?? '',
      };
      if (Object.values(r).every((v) => v.trim() === '')) throw new ArgError('Give at least one of wentWell, timeNotes, drop, carryOver.');
      const change = await store.addReflection(ref, r);
      if (!change.ok) return rejectedOutcome(change);
      return { ok: true, message: `Saved the review of ${ref.weekKey}.`, plan: change.value.plan };
    },

    async carry_over_rocks(a, ref) {
      a.noOthers(['rocks', 'toWeek']);
      const items = a.array('rocks', { min: 1, max: MAX_ACTIVE_ROCKS * 2 }).map((raw, i) => {
        const item = objectReader(raw, `rocks[${i}]`);
        item.noOthers(['rockId', 'title']);
        return { rockId: item.string('rockId'), title: item.optionalString('title', { max: MAX_PLAN_TITLE_CHARS }) };
      });
      const toWeek = a.optionalString('toWeek') ?? nextWeekKey(ref.weekKey);
      if (!parseWeekKey(toWeek)) throw new ArgError(`"toWeek" must be an ISO week like "2026-W49"; got "${toWeek}".`);
      return changedOutcome(await store.carryOver(ref, toWeek, items), (plan) => {
        const added = plan.rocks.slice(-items.length).map((r) => `"${r.title}" (id ${r.id}, rolled over ${r.carryCount}×)`);
        return `Carried into ${toWeek}: ${added.join(', ')}.`;
      });
    },

    async get_plan(a, ref) {
      a.noOthers([]);
      const plan = await store.getWeek(ref.userId, ref.weekKey, ref.timeZone);
      // No `plan` on the outcome: reading changed nothing, so there is nothing to emit.
      return { ok: true, message: planForModel(plan) };
    },
  };

  return {
    definitions: () => PLAN_TOOL_DEFINITIONS.map((d) => structuredClone(d)),

    async execute(name: string, rawArgs: string, ctx: ToolContext): Promise<ToolOutcome> {
      const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
      if (!handler) return { ok: false, message: `Unknown tool "${name}". Available: ${Object.keys(handlers).join(', ')}.` };
      if (!parseWeekKey(ctx.weekKey)) return { ok: false, message: `The session's week "${ctx.weekKey}" is not a valid ISO week.` };
      if (!isValidTimeZone(ctx.timeZone)) return { ok: false, message: `The time zone "${ctx.timeZone}" is not known.` };
      const parsed = parseArgs(rawArgs);
      if (!parsed.ok) return { ok: false, message: `${name}: ${parsed.reason}` };
      const ref: WeekRef = { userId: ctx.userId, weekKey: ctx.weekKey, timeZone: ctx.timeZone };
      try {
        return await handler(new ArgReader(parsed.value), ref);
      } catch (e) {
        if (e instanceof ArgError) return { ok: false, message: `${name}: ${e.message}` };
        throw e;
      }
    },
  };
}
