// The home page's view of sessions: grouping by week, this week's plan, and words for status.

import type { SessionStatus, SessionSummary } from './api.ts';
import { isoWeekKey } from './iso-week.ts';

export interface WeekGroup {
  weekKey: string;
  sessions: SessionSummary[];
}

/** The ISO week of `d` in `timeZone`, falling back to the browser's zone for a bad zone. */
export function safeWeekKey(d: Date, timeZone?: string): string {
  try {
    return isoWeekKey(d, timeZone);
  } catch {
    return isoWeekKey(d);
  }
}

/** The week a session works on: its weekKey once set, else the week it was started in. */
export function sessionWeek(s: SessionSummary, timeZone?: string): string | null {
  if (s.weekKey) return s.weekKey;
  const d = new Date(s.createdAt);
  return Number.isNaN(d.getTime()) ? null : safeWeekKey(d, timeZone);
}

/**
 * Sessions under the ISO week they plan or review (their weekKey once the coach has set
 * it), else the week they were started in. Newest week first; newest session first within a week.
 */
export function groupByIsoWeek(sessions: readonly SessionSummary[], timeZone?: string): WeekGroup[] {
  const groups = new Map<string, SessionSummary[]>();
  const sorted = [...sessions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const s of sorted) {
    const key = sessionWeek(s, timeZone) ?? 'Undated';
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  return [...groups].sort((a, b) => (a[0] === 'Undated' ? 1 : b[0] === 'Undated' ? -1 : b[0].localeCompare(a[0]))).map(([weekKey, list]) => ({ weekKey, sessions: list }));
}

/** One plan per week: the newest plan session of `weekKey`, if there is one. */
export function weekPlanSession(sessions: readonly SessionSummary[], weekKey: string, timeZone?: string): SessionSummary | null {
  const plans = sessions.filter((s) => s.kind === 'plan' && sessionWeek(s, timeZone) === weekKey);
  plans.sort((a, b) => (b.lastActiveAt ?? b.createdAt).localeCompare(a.lastActiveAt ?? a.createdAt));
  return plans[0] ?? null;
}

export const KIND_LABEL: Record<string, string> = { plan: 'Weekly plan', review: 'Friday review', chat: 'Chat' };

export const STATUS_LABEL: Record<SessionStatus, string> = {
  new: 'Not started',
  answering: 'Coach is answering',
  waiting: 'Waiting for the coach',
  stopped: 'Answer stopped',
  your_turn: 'Your turn',
};
