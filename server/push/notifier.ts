import type { PrismaClient } from '../db/database.ts';
import { TransientPushError, type PushPayload, type PushSender, type SendOptions } from './sender.ts';
import type { PushSubscriptions } from './subscriptions.ts';

export type DeliverOutcome =
  | { kind: 'delivered'; sent: number }
  /** Another job already claimed this key: a reminder is never sent twice. */
  | { kind: 'duplicate' }
  | { kind: 'no_subscriptions' };

export interface Delivery {
  userId: string;
  /** Unique per user per notification: "review:2026-W48", "answer:<session>:<message>". */
  key: string;
  /** The job doing the work; its retries resume where it left off. */
  jobId: string;
  payload: PushPayload;
  options: SendOptions;
}

export interface NotifierLogger {
  warn(obj: unknown, msg?: string): void;
}

/**
 * Delivers a notification to every device of a user, at most once per key and per device.
 *
 * The key is claimed first (a unique row naming the job); a different job with the same
 * key stops there. Then each subscription is claimed (a delivery row) before its POST:
 * a retry of the same job skips the devices already done. A crash between claim and POST
 * loses that one message instead of sending it twice; a failed POST releases the claim
 * and the job is retried with backoff.
 */
export class Notifier {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly subscriptions: PushSubscriptions,
    private readonly sender: PushSender,
    private readonly logger?: NotifierLogger,
  ) {}

  async deliver(d: Delivery): Promise<DeliverOutcome> {
    const subs = await this.subscriptions.forUser(d.userId);
    if (subs.length === 0) return { kind: 'no_subscriptions' };
    await this.prisma.notification.createMany({ data: [{ userId: d.userId, key: d.key, jobId: d.jobId }], skipDuplicates: true });
    const claim = await this.prisma.notification.findUniqueOrThrow({ where: { userId_key: { userId: d.userId, key: d.key } } });
    if (claim.jobId !== d.jobId) return { kind: 'duplicate' };

    let sent = 0;
    let transient: TransientPushError | undefined;
    for (const sub of subs) {
      const taken = await this.prisma.pushDelivery.createMany({ data: [{ notificationId: claim.id, subscriptionId: sub.id }], skipDuplicates: true });
      if (taken.count === 0) continue;
      try {
        const r = await this.sender.send(sub, d.payload, d.options);
        if (r.kind === 'sent') sent++;
        else if (r.kind === 'gone') await this.subscriptions.forget(sub.id);
        else this.logger?.warn({ subscriptionId: sub.id, outcome: r }, 'push message refused');
      } catch (err) {
        if (!(err instanceof TransientPushError)) throw err;
        transient = err;
        await this.prisma.pushDelivery.deleteMany({ where: { notificationId: claim.id, subscriptionId: sub.id } });
      }
    }
    // Thrown after trying every device, so one slow push service does not hold up the others.
    if (transient) throw transient;
    return { kind: 'delivered', sent };
  }
}
