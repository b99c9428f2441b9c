// The edits the week page makes, each with its optimistic result and its undo.

import type { BlockKind, Rock, RockStatus, TimeBlock, Vision, WeekPlan } from '../../../../server/plan/types.ts';
import type { PlanEdit } from './use-plan-editor.ts';

const q = (title: string) => `“${title}”`;
const PENDING_ID = 'pending';

type BlockFields = Partial<Pick<TimeBlock, 'start' | 'end' | 'title' | 'kind' | 'rockId'>>;

function withBlock(plan: WeekPlan, id: string, fields: BlockFields): WeekPlan {
  return { ...plan, blocks: plan.blocks.map((b) => (b.id === id ? { ...b, ...fields } : b)) };
}

/** Changes a block; `verb` names it in the toast ("Moved", "Resized", "Renamed"…). */
export function changeBlock(block: TimeBlock, fields: BlockFields, verb: string): PlanEdit {
  const before: BlockFields = {};
  for (const k of Object.keys(fields) as Array<keyof BlockFields>) (before as Record<string, unknown>)[k] = block[k];
  return {
    label: `${verb} ${q(fields.title ?? block.title)}`,
    request: { method: 'PATCH', path: `/blocks/${block.id}`, body: fields },
    optimistic: (plan) => withBlock(plan, block.id, fields),
    undo: (saved) => (saved.blocks.some((b) => b.id === block.id) ? { ...changeBlock({ ...block, ...fields }, before, 'Undo'), undo: undefined } : null),
  };
}

export function addBlock(fields: { kind: BlockKind; title: string; start: string; end: string; rockId: string | null }): PlanEdit {
  return {
    label: `Added ${q(fields.title)}`,
    request: { method: 'POST', path: '/blocks', body: fields },
    optimistic: (plan) => ({ ...plan, blocks: [...plan.blocks, { id: PENDING_ID, ...fields }] }),
    undo: (saved) => {
      const created = saved.blocks.find((b) => b.title === fields.title.trim() && b.start === fields.start);
      return created ? { ...deleteBlock(created), label: `Undo add ${q(created.title)}`, undo: undefined } : null;
    },
  };
}

export function deleteBlock(block: TimeBlock): PlanEdit {
  return {
    label: `Deleted ${q(block.title)}`,
    request: { method: 'DELETE', path: `/blocks/${block.id}` },
    optimistic: (plan) => ({ ...plan, blocks: plan.blocks.filter((b) => b.id !== block.id) }),
    undo: () => ({ ...addBlock({ kind: block.kind, title: block.title, start: block.start, end: block.end, rockId: block.rockId }), label: `Undo delete ${q(block.title)}`, undo: undefined }),
  };
}

export function addRock(title: string): PlanEdit {
  return {
    label: `Added the rock ${q(title)}`,
    request: { method: 'POST', path: '/rocks', body: { title } },
    optimistic: (plan) => ({
      ...plan,
      rocks: [...plan.rocks, { id: PENDING_ID, title, status: 'planned', position: plan.rocks.length, carryCount: 0, carriedFromId: null }],
    }),
    undo: (saved) => {
      const created = [...saved.rocks].reverse().find((r) => r.title === title.trim());
      return created ? { ...deleteRock(created), label: `Undo add ${q(title)}`, undo: undefined } : null;
    },
  };
}

export function changeRock(rock: Rock, fields: { title?: string; status?: RockStatus; position?: number }, verb: string): PlanEdit {
  const before: { title?: string; status?: RockStatus; position?: number } = {};
  if (fields.title !== undefined) before.title = rock.title;
  if (fields.status !== undefined) before.status = rock.status;
  if (fields.position !== undefined) before.position = rock.position;
  return {
    label: `${verb} ${q(fields.title ?? rock.title)}`,
    request: { method: 'PATCH', path: `/rocks/${rock.id}`, body: fields },
    optimistic: (plan) => {
      let rocks = plan.rocks.map((r) => (r.id === rock.id ? { ...r, ...fields, position: r.position } : r));
      if (fields.position !== undefined) {
        const sorted = [...rocks].sort((a, b) => a.position - b.position);
        const from = sorted.findIndex((r) => r.id === rock.id);
        const [moved] = sorted.splice(from, 1);
        if (moved) sorted.splice(Math.max(0, Math.min(sorted.length, fields.position)), 0, moved);
        rocks = sorted.map((r, i) => ({ ...r, position: i }));
      }
      return { ...plan, rocks };
    },
    undo: (saved) => (saved.rocks.some((r) => r.id === rock.id) ? { ...changeRock({ ...rock, ...fields }, before, 'Undo'), undo: undefined } : null),
  };
}

export function deleteRock(rock: Rock): PlanEdit {
  return {
    label: `Deleted the rock ${q(rock.title)}`,
    request: { method: 'DELETE', path: `/rocks/${rock.id}` },
    optimistic: (plan) => ({ ...plan, rocks: plan.rocks.filter((r) => r.id !== rock.id), blocks: plan.blocks.map((b) => (b.rockId === rock.id ? { ...b, rockId: null } : b)) }),
    undo: () => ({ ...addRock(rock.title), label: `Undo delete ${q(rock.title)}`, undo: undefined }),
  };
}

export function setVision(vision: Vision, previous: Vision | null): PlanEdit {
  return {
    label: 'Saved the vision',
    request: { method: 'PUT', path: '/vision', body: vision },
    optimistic: (plan) => ({ ...plan, vision }),
    undo: () => (previous ? { ...setVision(previous, null), label: 'Undo the vision change', undo: undefined } : null),
  };
}

export function addEnvironment(text: string): PlanEdit {
  return {
    label: `Added ${q(text)}`,
    request: { method: 'POST', path: '/environment', body: { text } },
    optimistic: (plan) => ({ ...plan, environment: [...plan.environment, { id: PENDING_ID, text }] }),
    undo: (saved) => {
      const created = [...saved.environment].reverse().find((e) => e.text === text.trim());
      return created ? { ...removeEnvironment(created), label: `Undo add ${q(text)}`, undo: undefined } : null;
    },
  };
}

export function removeEnvironment(item: { id: string; text: string }): PlanEdit {
  return {
    label: `Removed ${q(item.text)}`,
    request: { method: 'DELETE', path: `/environment/${item.id}` },
    optimistic: (plan) => ({ ...plan, environment: plan.environment.filter((e) => e.id !== item.id) }),
    undo: () => ({ ...addEnvironment(item.text), label: `Undo remove ${q(item.text)}`, undo: undefined }),
  };
}

export function setReview(slot: { start: string; end: string }, previous: { start: string; end: string } | null): PlanEdit {
  return {
    label: 'Moved the weekly review',
    request: { method: 'PUT', path: '/review', body: slot },
    optimistic: (plan) => ({ ...plan, review: slot }),
    undo: () => (previous ? { ...setReview(previous, null), label: 'Undo the review move', undo: undefined } : null),
  };
}
