// Direct plan edits over HTTP (docs/protocol.md, "Editing the plan"). Every write sends the
// version it was based on as If-Match, so a change made meanwhile elsewhere (another device,
// the coach) is refused with 412 instead of silently overwritten.

import type { WeekPlan } from '../../../../server/plan/types.ts';

export interface PlanRequest {
  method: 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Below /api/weeks/:weekKey, e.g. "/blocks/<id>". */
  path: string;
  body?: unknown;
}

export class PlanWriteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** With 412 plan_changed: the plan as it is now. */
    readonly plan?: WeekPlan,
  ) {
    super(message);
    this.name = 'PlanWriteError';
  }
}

export async function sendPlanWrite(weekKey: string, req: PlanRequest, ifVersion: number | null, fetchImpl: typeof fetch = (u, i) => fetch(u, i)): Promise<WeekPlan> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (ifVersion !== null) headers['if-match'] = `"${ifVersion}"`;
  let res: Response;
  try {
    res = await fetchImpl(`/api/weeks/${encodeURIComponent(weekKey)}${req.path}`, {
      method: req.method,
      credentials: 'same-origin',
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
  } catch {
    throw new PlanWriteError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
  let json: { plan?: WeekPlan; error?: { code?: string; message?: string } } = {};
  try {
    json = await res.json();
  } catch {
    // not JSON
  }
  if (res.ok && json.plan) return json.plan;
  throw new PlanWriteError(res.status, json.error?.code ?? `http_${res.status}`, json.error?.message ?? `The change was not saved (${res.status}).`, json.plan);
}
