import type { Agent } from 'node:https';
import webpush from 'web-push';
import { isAllowedPushEndpoint } from './endpoint-policy.ts';
import type { StoredSubscription } from './subscriptions.ts';
import type { VapidKeyPair } from './vapid.ts';

/** What the service worker receives (JSON): it shows `title`/`body` and opens `url` on tap. */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  /** Collapses notifications of one kind on the device (the newest replaces the older). */
  tag?: string;
}

export interface SendOptions {
  /** How long the push service may hold the message for an offline device, in seconds. */
  ttlSeconds: number;
  /** Push services replace an undelivered message with the same topic (≤ 32 base64url chars). */
  topic?: string;
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
}

/** sent; gone: the push service no longer knows the subscription (delete it); rejected: permanent refusal. */
export type SendOutcome = { kind: 'sent' } | { kind: 'gone' } | { kind: 'rejected'; status: number } | { kind: 'blocked' };

export class TransientPushError extends Error {
  readonly code = 'PUSH_TRANSIENT';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

export const PUSH_REQUEST_TIMEOUT_MS = 10_000;

/** Encrypts (RFC 8291, aes128gcm) and POSTs one message, signed with our VAPID key (RFC 8292). */
export class PushSender {
  constructor(
    private readonly keys: VapidKeyPair,
    private readonly contact: string,
    private readonly allowedOrigins: readonly string[],
    /** Tests trust their fake push service's certificate through this agent. */
    private readonly agent?: Agent,
  ) {}

  get publicKey(): string {
    return this.keys.publicKey;
  }

  async send(sub: StoredSubscription, payload: PushPayload, opts: SendOptions): Promise<SendOutcome> {
    // Checked again at send time: the list may have shrunk since the subscription was stored.
    if (!isAllowedPushEndpoint(sub.endpoint, this.allowedOrigins)) return { kind: 'blocked' };
    try {
      await webpush.sendNotification({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(payload), {
        vapidDetails: { subject: this.contact, publicKey: this.keys.publicKey, privateKey: this.keys.privateKey },
        TTL: opts.ttlSeconds,
        contentEncoding: 'aes128gcm',
        timeout: PUSH_REQUEST_TIMEOUT_MS,
        ...(opts.topic ? { topic: opts.topic } : {}),
        ...(opts.urgency ? { urgency: opts.urgency } : {}),
        ...(this.agent ? { agent: this.agent } : {}),
      });
      return { kind: 'sent' };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) return { kind: 'gone' };
      if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'rejected', status };
      throw new TransientPushError(status ? `push service answered ${status}` : `push request failed: ${(err as Error).message}`, status);
    }
  }
}
