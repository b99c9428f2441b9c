// Durable jobs in the database, run by pg-boss: claimed by one instance (SKIP LOCKED),
// kept across restarts, retried with exponential backoff. The same code runs on
// PostgreSQL and on the embedded PGlite (one connection, one process).
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';

export const JOB_SCHEMA = 'pgboss';
/** How often each instance asks for due jobs. A reminder fires at most this late. */
export const JOB_POLL_INTERVAL_S = 1;
export const JOB_RETRY_LIMIT = 8;
/** First retry after this, doubling each time (5 s, 10 s, 20 s … about 10 minutes in all). */
export const JOB_RETRY_DELAY_S = 5;
/** A job whose instance died is handed to another after this long. */
export const JOB_EXPIRE_S = 120;

export interface Job<T> {
  id: string;
  data: T;
}

export interface JobQueue {
  /** Enqueues a job; with `key`, the same key enqueues nothing the second time (while the job is kept). */
  send(queue: string, data: object, opts?: { startAfter?: Date; key?: string }): Promise<string | null>;
  work<T>(queue: string, handler: (job: Job<T>) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface QueueLogger {
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

/** Starting again after a failed start (see startJobQueue), at most this many times. */
export const JOB_START_ATTEMPTS = 6;

/** The queue never started (every attempt failed): what asked for it is refused for now, not broken. */
export class JobQueueUnavailable extends Error {
  readonly code = 'job_queue_unavailable';
  constructor(cause: unknown) {
    super('The job queue could not be started', { cause });
  }
}

/** A stable job id for a key, so that enqueuing the same thing twice is a no-op. */
export function jobIdFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Starts the queue in the background: pg-boss's own schema migration takes a moment (on a
 * fresh PGlite, about a second), and nothing else needs to wait for it. Every method waits
 * until the queue is ready.
 *
 * Instances started together on a fresh database (the replicas of a first deploy) race to
 * create pg-boss's schema and queues, and a loser's start fails ("deadlock detected"). A
 * failed pg-boss cannot be started again, so a new one is made and started after a short,
 * random pause; by then the winner's schema is there.
 */
export function startJobQueue(db: Pick<Database, 'jobSql'>, queues: string[], logger: QueueLogger): JobQueue {
  const startOnce = async (): Promise<PgBoss> => {
    const boss = new PgBoss({
      db: db.jobSql as PgBoss.Db,
      schema: JOB_SCHEMA,
      // Cron schedules are not used (reminders are per person, in their zone); no clock-skew polling.
      schedule: false,
      supervise: true,
    });
    boss.on('error', (err) => logger.error({ err }, 'job queue error'));
    try {
      await boss.start();
      for (const name of queues) {
        await boss.createQueue(name, {
          name,
          retryLimit: JOB_RETRY_LIMIT,
          retryDelay: JOB_RETRY_DELAY_S,
          retryBackoff: true,
          expireInSeconds: JOB_EXPIRE_S,
          // Completed jobs are kept a while so that a repeated key is still recognised.
          retentionDays: 14,
        });
      }
      return boss;
    } catch (err) {
      await boss.stop({ graceful: false, close: false }).catch(() => undefined);
      throw err;
    }
  };
  const ready = (async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce();
      } catch (err) {
        if (attempt >= JOB_START_ATTEMPTS) throw err;
        logger.warn({ err, attempt }, 'job queue start failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 400));
      }
    }
  })();
  ready.catch((err) => logger.error({ err }, 'job queue failed to start'));
  const started = () =>
    ready.catch((err: unknown) => {
      throw new JobQueueUnavailable(err);
    });
  return {
    async send(queue, data, opts = {}) {
      const boss = await started();
      return boss.send(queue, data, {
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(opts.key ? { id: jobIdFor(`${queue}:${opts.key}`) } : {}),
      });
    },
    async work<T>(queue: string, handler: (job: Job<T>) => Promise<void>) {
      const boss = await started();
      await boss.work<T>(queue, { pollingIntervalSeconds: JOB_POLL_INTERVAL_S, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) await handler({ id: job.id, data: job.data });
      });
    },
    async stop() {
      // A queue that never started has nothing to stop.
      const boss = await ready.catch(() => undefined);
      if (!boss) return;
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 5_000 });
    },
  };
}
