// Reminders and "your answer is ready": what to send, when, and through which durable job.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/database.ts';
import type { Job, JobQueue } from '../jobs/queue.ts';
import { isValidTimeZone } from '../plan/week.ts';
import type { Notifier } from './notifier.ts';
import { afterQuietHours, nextOccurrence, type QuietHours, type WeeklyTime } from './reminder-time.ts';
import type { PushPayload, SendOptions } from './sender.ts';
import type { PushSubscriptions } from './subscriptions.ts';

export const QUEUE_REMINDER = 'reminder';
export const QUEUE_NOTIFY = 'notify';
export const PUSH_QUEUES = [QUEUE_REMINDER, QUEUE_NOTIFY];

/** A reminder is useless the next day; an answer can wait a day for a phone that is off. */
export const REMINDER_TTL_S = 12 * 60 * 60;
export const ANSWER_TTL_S = 24 * 60 * 60;
export const TEST_TTL_S = 10 * 60;
/** The notification's text is the start of the answer, cut at a word. */
export const ANSWER_PREVIEW_WORDS = 16;
export const ANSWER_PREVIEW_CHARS = 140;

export type ReminderKind = 'review' | 'planning';
export const REMINDER_KINDS: ReminderKind[] = ['review', 'planning'];

export interface ReminderSettingsView {
  review: WeeklyTime | null;
  planning: WeeklyTime | null;
  quietHours: QuietHours | null;
  timeZone: string;
  /** When each reminder fires next (UTC), or null when it is off. */
  next: { review: string | null; planning: string | null };
}

interface ReminderJobData {
  userId: string;
  kind: ReminderKind;
  version: number;
  weekKey: string;
  /** The nominal time (before quiet hours moved it); the next one is computed after it. */
  atMs: number;
}

interface NotifyJobData {
  userId: string;
  key: string;
  payload: PushPayload;
  options: SendOptions;
}

export interface PushLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

const REMINDER_TEXT: Record<ReminderKind, { title: string; body: string; path: string }> = {
  review: {
    title: 'Time for your weekly review',
    body: 'Look back at your week with your coach: what went well, what to drop, what carries over.',
    path: '/start/review',
  },
  planning: {
    title: 'Plan your week',
    body: 'Pick this week’s big rocks and block time for deep work with your coach.',
    path: '/start/plan',
  },
};

export class PushService {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      subscriptions: PushSubscriptions;
      notifier: Notifier;
      queue: JobQueue;
      publicKey: string;
      /** Links are absolute on PUBLIC_URL when it is set, else paths the service worker resolves on its origin. */
      publicOrigin: string | undefined;
      now: () => Date;
      logger: PushLogger;
    },
  ) {}

  get publicKey(): string {
    return this.deps.publicKey;
  }

  async start(): Promise<void> {
    await this.deps.queue.work<ReminderJobData>(QUEUE_REMINDER, (job) => this.runReminder(job));
    await this.deps.queue.work<NotifyJobData>(QUEUE_NOTIFY, (job) => this.runNotify(job));
    await this.resumeAllReminders();
  }

  /**
   * Each reminder is a chain of jobs, one per week. pg-boss drops a job not run within its
   * retention (14 days after it was due), so a chain could end for good while every instance
   * was down that long. On start, every person's next reminders are enqueued again; the
   * keys make this a no-op for the chains that are intact.
   */
  private async resumeAllReminders(): Promise<void> {
    const rows = await this.deps.prisma.reminderSettings.findMany({ select: { userId: true } });
    for (const { userId } of rows) await this.schedule(userId);
  }

  private link(path: string): string {
    return this.deps.publicOrigin ? `${this.deps.publicOrigin}${path}` : path;
  }

  /** Real wall-clock instant for a time on our (possibly test-shifted) clock: jobs are due by the database's clock. */
  private realDate(ms: number): Date {
    return new Date(Date.now() + (ms - this.deps.now().getTime()));
  }

  private async zoneOf(userId: string): Promise<string> {
    const u = await this.deps.prisma.user.findUnique({ where: { id: userId }, select: { timeZone: true } });
    return u && isValidTimeZone(u.timeZone) ? u.timeZone : 'UTC';
  }

  async getReminders(userId: string): Promise<ReminderSettingsView> {
    const row = await this.deps.prisma.reminderSettings.findUnique({ where: { userId } });
    return this.view(row, await this.zoneOf(userId));
  }

  /** Replaces the settings (PUT): stale jobs retire by version, the new ones are enqueued. */
  async setReminders(userId: string, input: { review: WeeklyTime | null; planning: WeeklyTime | null; quietHours?: QuietHours | null }): Promise<ReminderSettingsView> {
    const data = { review: input.review ?? undefined, planning: input.planning ?? undefined, quietHours: input.quietHours ?? undefined };
    await this.deps.prisma.$executeRaw`
      INSERT INTO "ReminderSettings" ("userId", review, planning, "quietHours", version, "updatedAt")
      VALUES (${userId}, ${json(data.review)}::jsonb, ${json(data.planning)}::jsonb, ${json(data.quietHours)}::jsonb, 1, now())
      ON CONFLICT ("userId") DO UPDATE SET review = EXCLUDED.review, planning = EXCLUDED.planning,
        "quietHours" = EXCLUDED."quietHours", version = "ReminderSettings".version + 1, "updatedAt" = now()`;
    await this.schedule(userId);
    return this.getReminders(userId);
  }

  /** After a time-zone change: the same local times, new instants. */
  async rescheduleAfterZoneChange(userId: string): Promise<void> {
    const r = await this.deps.prisma.reminderSettings.updateMany({ where: { userId }, data: { version: { increment: 1 } } });
    if (r.count) await this.schedule(userId);
  }

  private async schedule(userId: string): Promise<void> {
    const row = await this.deps.prisma.reminderSettings.findUnique({ where: { userId } });
    if (!row) return;
    const tz = await this.zoneOf(userId);
    const nowMs = this.deps.now().getTime();
    for (const kind of REMINDER_KINDS) {
      const at = row[kind] as unknown as WeeklyTime | null;
      if (at) await this.enqueueReminder(userId, kind, row.version, at, row.quietHours as unknown as QuietHours | null, tz, nowMs);
    }
  }

  private async enqueueReminder(userId: string, kind: ReminderKind, version: number, at: WeeklyTime, quiet: QuietHours | null, tz: string, afterMs: number) {
    const next = nextOccurrence(at, tz, afterMs);
    const fireMs = afterQuietHours(next.atMs, quiet, tz);
    const data: ReminderJobData = { userId, kind, version, weekKey: next.weekKey, atMs: next.atMs };
    // The key makes enqueuing idempotent: a retried job or a repeated PUT adds nothing.
    await this.deps.queue.send(QUEUE_REMINDER, data, { startAfter: this.realDate(fireMs), key: `${userId}:${kind}:${version}:${next.weekKey}` });
  }

  private async runReminder(job: Job<ReminderJobData>): Promise<void> {
    const { userId, kind, version, weekKey, atMs } = job.data;
    const row = await this.deps.prisma.reminderSettings.findUnique({ where: { userId } });
    // Settings changed (or were removed) since this job was made: a newer job has taken over.
    if (!row || row.version !== version || !row[kind]) return;
    const tz = await this.zoneOf(userId);
    const quiet = row.quietHours as unknown as QuietHours | null;
    const nowMs = this.deps.now().getTime();
    const staleBeforeMs = nowMs - REMINDER_TTL_S * 1000;
    // Next week's first, so that the chain survives whatever happens to this delivery. After
    // an outage longer than a reminder lives, the chain skips the weeks missed meanwhile
    // instead of sending each of them now: it goes on from the first one still worth sending.
    await this.enqueueReminder(userId, kind, version, row[kind] as unknown as WeeklyTime, quiet, tz, Math.max(atMs, staleBeforeMs));
    if (afterQuietHours(atMs, quiet, tz) < staleBeforeMs) {
      this.deps.logger.info({ userId, kind, weekKey }, 'reminder skipped: due longer ago than it lives');
      return;
    }
    const text = REMINDER_TEXT[kind];
    const r = await this.deps.notifier.deliver({
      userId,
      // At most one nudge of each kind per week, whichever job gets there.
      key: `${kind}:${weekKey}`,
      jobId: job.id,
      payload: { title: text.title, body: text.body, url: this.link(text.path), tag: kind },
      options: { ttlSeconds: REMINDER_TTL_S, topic: `${kind}-${weekKey}`, urgency: 'normal' },
    });
    this.deps.logger.info({ userId, kind, weekKey, outcome: r.kind }, 'reminder processed');
  }

  private async runNotify(job: Job<NotifyJobData>): Promise<void> {
    await this.deps.notifier.deliver({ ...job.data, jobId: job.id });
  }

  /** POST /api/push/test: one notification to each of the caller's devices. */
  async sendTest(userId: string): Promise<void> {
    const payload: PushPayload = { title: 'Focus Coach', body: 'Notifications work on this device.', url: this.link('/'), tag: 'test' };
    await this.deps.queue.send(QUEUE_NOTIFY, { userId, key: `test:${randomUUID()}`, payload, options: { ttlSeconds: TEST_TTL_S } } satisfies NotifyJobData);
  }

  /**
   * An answer ended while none of the owner's devices had the session open: tell them
   * (after their quiet hours). Called by the instance that ran the answer.
   */
  async answerEnded(input: { userId: string; sessionId: string; sessionTitle: string; messageId: string; text: string }): Promise<void> {
    if (!(await this.deps.subscriptions.hasAny(input.userId))) return;
    const row = await this.deps.prisma.reminderSettings.findUnique({ where: { userId: input.userId }, select: { quietHours: true } });
    const tz = await this.zoneOf(input.userId);
    const nowMs = this.deps.now().getTime();
    const fireMs = afterQuietHours(nowMs, row?.quietHours as unknown as QuietHours | null, tz);
    const payload: PushPayload = {
      title: input.sessionTitle ? `Your coach answered: ${input.sessionTitle}` : 'Your coach answered',
      body: firstWords(input.text),
      url: this.link(`/sessions/${input.sessionId}`),
      tag: `session-${input.sessionId}`,
    };
    await this.deps.queue.send(
      QUEUE_NOTIFY,
      { userId: input.userId, key: `answer:${input.sessionId}:${input.messageId}`, payload, options: { ttlSeconds: ANSWER_TTL_S, urgency: 'normal' } } satisfies NotifyJobData,
      { key: `answer:${input.sessionId}:${input.messageId}`, ...(fireMs > nowMs ? { startAfter: this.realDate(fireMs) } : {}) },
    );
  }

  private view(row: { review: unknown; planning: unknown; quietHours: unknown } | null, timeZone: string): ReminderSettingsView {
    const review = (row?.review ?? null) as WeeklyTime | null;
    const planning = (row?.planning ?? null) as WeeklyTime | null;
    const quietHours = (row?.quietHours ?? null) as QuietHours | null;
    const nowMs = this.deps.now().getTime();
    const nextOf = (at: WeeklyTime | null) => (at ? new Date(afterQuietHours(nextOccurrence(at, timeZone, nowMs).atMs, quietHours, timeZone)).toISOString() : null);
    return { review, planning, quietHours, timeZone, next: { review: nextOf(review), planning: nextOf(planning) } };
  }
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export function firstWords(text: string): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let out = words.slice(0, ANSWER_PREVIEW_WORDS).join(' ');
  if (out.length > ANSWER_PREVIEW_CHARS) out = out.slice(0, ANSWER_PREVIEW_CHARS).replace(/\s+\S*$/, '');
  return words.length > ANSWER_PREVIEW_WORDS || out.length < text.trim().length ? `${out}…` : out;
}
