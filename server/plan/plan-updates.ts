// Every accepted plan write — a person's over HTTP or the coach's through its tools — becomes
// a `plan.updated` event in every session of that user working on that week (persisted, so it
// is replayed after a reconnect; the session log's NOTIFY carries it to every instance), and a
// week pointer (`w:`, server/db/notify-registry.ts) for week pages that have no session open (GET …/live).

import type { Database } from '../db/database.ts';
import { decodeNotice, encodeWeekChanged, type WeekPointer } from '../db/notify-registry.ts';
import { Listeners } from '../session/listeners.ts';
import type { SessionLog } from '../session/port.ts';
import type { WeekPlan } from './types.ts';
import type { EventData, EventType, PlanAuthor } from '../contract/index.ts';

export type { PlanAuthor };

export const PLAN_UPDATED = 'plan.updated' satisfies EventType;

/** The data of a plan.updated event (the contract's, `changes` included), with the plan typed and `by` always set. */
export type PlanUpdatedData = Omit<EventData<'plan.updated'>, 'plan' | 'by'> & { plan: WeekPlan; by: PlanAuthor; [key: string]: unknown };

export type { WeekPointer };

export class PlanUpdates {
  private readonly weeks = new Listeners<WeekPointer>();
  private readonly resyncs = new Listeners<void>();
  private readonly offs: Array<() => void>;

  constructor(
    private readonly db: Pick<Database, 'prisma' | 'notify' | 'feed'>,
    private readonly log: Pick<SessionLog, 'append'>,
  ) {
    this.offs = [
      db.feed.onPayload((payload) => {
        const n = decodeNotice(payload);
        if (n?.kind === 'week_changed') this.weeks.emit({ userId: n.userId, weekKey: n.weekKey, by: n.by });
      }),
      // Pointers sent while the LISTEN connection was down are lost: listeners re-read.
      db.feed.onResync(() => this.resyncs.emit()),
    ];
  }

  /**
   * Appends plan.updated to the user's sessions for the plan's week (and to `alsoSessionId`,
   * the coach's own session, whatever week it is on), then points week pages at the change.
   */
  async publish(userId: string, plan: WeekPlan, by: PlanAuthor, opts: { alsoSessionId?: string; changes?: string[] } = {}): Promise<void> {
    const rows = await this.db.prisma.session.findMany({ where: { userId, weekKey: plan.weekKey }, select: { id: true } });
    const ids = new Set(rows.map((r) => r.id));
    if (opts.alsoSessionId) ids.add(opts.alsoSessionId);
    const data: PlanUpdatedData = { weekKey: plan.weekKey, plan, by, ...(opts.changes && opts.changes.length > 0 ? { changes: opts.changes } : {}) };
    // A session deleted meanwhile reads as not_found: nothing to tell it.
    await Promise.all([...ids].map((id) => this.log.append(id, PLAN_UPDATED, data)));
    await this.db.notify(encodeWeekChanged({ userId, weekKey: plan.weekKey, by }));
  }

  /** Week changes of any user on any instance (pointers only: read the plan to see it). */
  onWeekChanged(listener: (p: WeekPointer) => void): () => void {
    return this.weeks.add(listener);
  }

  /** The notification feed reconnected: any week may have changed unseen. */
  onResync(listener: () => void): () => void {
    return this.resyncs.add(listener);
  }

  close(): void {
    for (const off of this.offs) off();
    this.weeks.clear();
    this.resyncs.clear();
  }
}
