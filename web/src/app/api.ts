// The HTTP API: same origin, cookie auth, JSON in and out, {error:{code,message}} on 4xx/5xx.

import type { CreateSessionBody, Device, Feed, Pairing, SessionListItem, SessionView, User } from '../../../server/contract/index.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The wire shapes come from the server's contract; type-only, so nothing of it is bundled.
export type { Device, Feed, Pairing, SessionKind, SessionStatus, User } from '../../../server/contract/index.ts';
/** A session; as GET /api/sessions lists it, also its status, last line and last activity. */
export type SessionSummary = SessionView & Partial<Pick<SessionListItem, 'status' | 'preview' | 'lastActiveAt'>>;

/** POST /api/sessions/:id/invites: a one-time link (7 days) that makes someone a partner in the session. */
import type { Invite, Partner, Reminders } from '../../../server/contract/index.ts';
export type { Invite, Partner, PushSubscriptionView, Reminders, WeeklyTime } from '../../../server/contract/index.ts';

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface Api {
  me(): Promise<User | null>;
  /** Creates the account (this device signed in), then stores the browser's time zone. */
  signup(email: string, password: string, opts?: { deviceName?: string; timeZone?: string }): Promise<void>;
  login(email: string, password: string, opts?: { deviceName?: string }): Promise<void>;
  logout(): Promise<void>;
  setTimeZone(timeZone: string): Promise<User>;
  listSessions(): Promise<SessionSummary[]>;
  createSession(input: Pick<CreateSessionBody, 'title' | 'kind' | 'weekKey'>): Promise<SessionSummary>;
  getSession(id: string): Promise<SessionSummary>;
  renameSession(id: string, title: string): Promise<SessionSummary>;
  /** Deletes the conversation and its history for good (SL16). */
  deleteSession(id: string): Promise<void>;
  listFeeds(): Promise<Feed[]>;
  revokeFeed(id: string): Promise<void>;
  /** The week's plan: `weekKey` or, when null, the current week in the user's time zone. */
  getWeek(weekKey: string | null): Promise<WeekPlan>;
  planMarkdown(weekKey: string): Promise<string>;
  planIcsUrl(weekKey: string): string;
  /** A private calendar feed URL (a new one per call). */
  createFeed(): Promise<string>;
  createPairing(sessionId?: string): Promise<Pairing>;
  redeemPairing(code: string, deviceName?: string): Promise<{ user: User; sessionId: string | null }>;
  listDevices(): Promise<Device[]>;
  revokeDevice(id: string): Promise<void>;
  setDisplayName(displayName: string): Promise<User>;
  /** The week a session works on; partners see the owner's plan through it. */
  getSessionPlan(sessionId: string): Promise<WeekPlan>;
  createInvite(sessionId: string): Promise<Invite>;
  redeemInvite(code: string): Promise<string>;
  listPartners(sessionId: string): Promise<Partner[]>;
  removePartner(sessionId: string, userId: string): Promise<void>;
  takeOver(sessionId: string): Promise<void>;
  handBack(sessionId: string): Promise<void>;
  vapidPublicKey(): Promise<string>;
  addPushSubscription(sub: PushSubscriptionJSON): Promise<string>;
  removePushSubscription(id: string): Promise<void>;
  sendTestPush(): Promise<void>;
  getReminders(): Promise<Reminders>;
  setReminders(r: Pick<Reminders, 'review' | 'planning' | 'quietHours'>): Promise<Reminders>;
}

export function createApi(baseUrl = '', fetchImpl: FetchFn = (u, i) => fetch(u, i)): Api {
  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetchImpl(baseUrl + path, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
    }
    if (!res.ok) {
      let code = `http_${res.status}`;
      let message = res.statusText || `Request failed (${res.status})`;
      try {
        const j = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
        if (typeof j.error?.code === 'string') code = j.error.code;
        if (typeof j.error?.message === 'string') message = j.error.message;
      } catch {
        // not JSON
      }
      throw new ApiError(res.status, code, message);
    }
    return res;
  }
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await request(method, path, body);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;
  const weekPath = (weekKey: string) => `/api/weeks/${encodeURIComponent(weekKey)}`;

  const api: Api = {
    async me() {
      // 200 either way: a signed-out first visit makes no failing request.
      return (await json<{ user: User | null }>('GET', '/api/auth/session')).user;
    },
    async signup(email, password, opts = {}) {
      await request('POST', '/api/auth/signup', withDevice({ email, password }, opts.deviceName));
      // Sent separately so that signup works whether or not the server takes timeZone in its body.
      if (opts.timeZone) await api.setTimeZone(opts.timeZone).catch(() => undefined);
    },
    async login(email, password, opts = {}) {
      await request('POST', '/api/auth/login', withDevice({ email, password }, opts.deviceName));
    },
    async setTimeZone(timeZone) {
      return (await json<{ user: User }>('PATCH', '/api/me', { timeZone })).user;
    },
    async logout() {
      await request('POST', '/api/auth/logout');
    },
    async listSessions() {
      return (await json<{ sessions: SessionSummary[] }>('GET', '/api/sessions')).sessions;
    },
    createSession(input) {
      return json<SessionSummary>('POST', '/api/sessions', input);
    },
    getSession(id) {
      return json<SessionSummary>('GET', sessionPath(id));
    },
    renameSession(id, title) {
      return json<SessionSummary>('PATCH', sessionPath(id), { title });
    },
    async deleteSession(id) {
      await request('DELETE', sessionPath(id));
    },
    async listFeeds() {
      return (await json<{ feeds: Feed[] }>('GET', '/api/feeds')).feeds;
    },
    async revokeFeed(id) {
      await request('DELETE', `/api/feeds/${encodeURIComponent(id)}`);
    },
    async getWeek(weekKey) {
      return (await json<{ plan: WeekPlan }>('GET', weekKey ? weekPath(weekKey) : '/api/weeks/current')).plan;
    },
    async planMarkdown(weekKey) {
      return (await request('GET', `${weekPath(weekKey)}/plan.md`)).text();
    },
    planIcsUrl(weekKey) {
      return `${baseUrl}${weekPath(weekKey)}/plan.ics`;
    },
    async createFeed() {
      return (await json<{ url: string }>('POST', '/api/feeds')).url;
    },
    createPairing(sessionId) {
      return json<Pairing>('POST', '/api/pairing', sessionId ? { sessionId } : {});
    },
    async redeemPairing(code, deviceName) {
      const r = await json<{ user: User; sessionId?: string | null }>('POST', '/api/pairing/redeem', withDevice({ code }, deviceName));
      return { user: r.user, sessionId: r.sessionId ?? null };
    },
    async listDevices() {
      return (await json<{ devices: Device[] }>('GET', '/api/devices')).devices;
    },
    async revokeDevice(id) {
      await request('DELETE', `/api/devices/${encodeURIComponent(id)}`);
    },
    async setDisplayName(displayName) {
      return (await json<{ user: User }>('PATCH', '/api/me', { displayName })).user;
    },
    async getSessionPlan(sessionId) {
      return (await json<{ plan: WeekPlan }>('GET', `${sessionPath(sessionId)}/plan`)).plan;
    },
    createInvite(sessionId) {
      return json<Invite>('POST', `${sessionPath(sessionId)}/invites`);
    },
    async redeemInvite(code) {
      return (await json<{ sessionId: string }>('POST', '/api/invites/redeem', { code })).sessionId;
    },
    async listPartners(sessionId) {
      return (await json<{ partners: Partner[] }>('GET', `${sessionPath(sessionId)}/partners`)).partners;
    },
    async removePartner(sessionId, userId) {
      await request('DELETE', `${sessionPath(sessionId)}/partners/${encodeURIComponent(userId)}`);
    },
    async takeOver(sessionId) {
      await request('POST', `${sessionPath(sessionId)}/takeover`);
    },
    async handBack(sessionId) {
      await request('POST', `${sessionPath(sessionId)}/handback`);
    },
    async vapidPublicKey() {
      return (await json<{ publicKey: string }>('GET', '/api/push/vapid-public-key')).publicKey;
    },
    async addPushSubscription(sub) {
      return (await json<{ id: string }>('POST', '/api/push/subscriptions', sub)).id;
    },
    async removePushSubscription(id) {
      await request('DELETE', `/api/push/subscriptions/${encodeURIComponent(id)}`);
    },
    async sendTestPush() {
      await request('POST', '/api/push/test');
    },
    getReminders() {
      return json<Reminders>('GET', '/api/me/reminders');
    },
    setReminders(r) {
      return json<Reminders>('PUT', '/api/me/reminders', r);
    },
  };
  return api;
}

function withDevice<T extends object>(body: T, deviceName: string | undefined): T & { deviceName?: string } {
  const name = deviceName?.trim();
  return name ? { ...body, deviceName: name.slice(0, 120) } : body;
}

/** A readable default name for this device ("Chrome on Android"), for the devices list and presence. */
export function guessDeviceName(ua: string = typeof navigator === 'undefined' ? '' : navigator.userAgent): string {
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone/.test(ua)
      ? 'iPhone'
      : /iPad/.test(ua)
        ? 'iPad'
        : /Mac OS X/.test(ua)
          ? 'Mac'
          : /Windows/.test(ua)
            ? 'Windows'
            : /Linux|X11/.test(ua)
              ? 'Linux'
              : '';
  return os ? `${browser} on ${os}` : browser;
}

/** The browser's IANA time zone, if it has one. */
export function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
