// The only module that reads process.env. Everything else receives a Config.

export type CoachMode = 'auto' | 'offline' | 'openai' | 'demo';
const COACH_MODES: CoachMode[] = ['auto', 'offline', 'openai', 'demo'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Set: use this PostgreSQL. Unset: embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  logLevel: LogLevel;
  /** Delay between streamed words of the built-in coach. */
  coachPaceMs: number;
  openai: { apiKey: string | undefined; baseUrl: string | undefined; model: string; timeoutMs: number };
  /** auto: OpenAI when OPENAI_API_KEY is set, else the offline coach. demo: a paced echo agent for load and fault tests. */
  coach: CoachMode;
  /** Origins allowed to open WebSockets; empty means same-origin only. */
  allowedOrigins: string[];
  /** Serve web/dist when it exists. */
  serveWeb: boolean;
  /** Identifies this process in run leases. */
  instanceId: string | undefined;
  /** Cookie gets `Secure` when the public URL is https. */
  secureCookies: boolean;
  /** On SIGTERM, how long running answers may finish before they are ended as interrupted. */
  shutdownGraceMs: number;
  /** Size of the PostgreSQL connection pool of this instance. */
  dbPoolSize: number;
  /** Memory for committed events of recently read sessions, so reconnects replay without the database (SL20); 0 turns it off. */
  eventCacheMb: number;
  /** Durable Streams: how long a long-poll read waits for data before answering 204. */
  dsLongPollTimeoutMs: number;
  /** How long a client may take to send a whole request (headers and body); a stalled upload is cut after it. */
  httpRequestTimeoutMs: number;
  /** Bearer token for GET /metrics from other hosts; without it only loopback may scrape. */
  metricsToken: string | undefined;
  /** The app's canonical origin (PUBLIC_URL without a path), e.g. https://focus.example; used for pairing links and HSTS. */
  publicOrigin: string | undefined;
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For), for per-IP rate limits.
   * false: none (the socket address counts); a number: that many proxy hops in front of us.
   */
  trustProxy: boolean | number;
  /** The server pings every socket this often and drops those that did not answer the previous ping. */
  wsHeartbeatMs: number;
  push: PushConfig;
  limits: Limits;
  rateLimits: RateLimits;
}

export interface PushConfig {
  /**
   * Origins the server may POST push messages to: `https://host[:port]`, or
   * `https://*.domain` for any subdomain. A subscription elsewhere is refused with 400.
   */
  allowedOrigins: string[];
  /** VAPID `sub`: who push services contact about our traffic (an https: URL or mailto:). */
  contact: string;
}

/** The browsers' push services: Chrome/Edge (FCM), Firefox (autopush), Safari (Apple), Windows (WNS). */
export const DEFAULT_PUSH_ORIGINS = [
  'https://fcm.googleapis.com',
  'https://updates.push.services.mozilla.com',
  'https://web.push.apple.com',
  'https://*.push.apple.com',
  'https://*.notify.windows.com',
];

export interface Limits {
  maxSessionsPerUser: number;
  /** Open session WebSockets per user on one instance. */
  maxSocketsPerUser: number;
  /** Per-connection token bucket for client frames. */
  wsMessagesPerSecond: number;
  wsMessageBurst: number;
  /** Durable Streams per account (generic streams, soft-deleted ones included). */
  dsMaxStreamsPerUser: number;
  /** Stored Durable Streams bytes per account. */
  dsMaxBytesPerUser: number;
}

/** A token bucket: `burst` requests at once, refilled at `refillPerMinute`. */
export interface BucketSpec {
  burst: number;
  refillPerMinute: number;
}

export interface RateLimits {
  signupPerIp: BucketSpec;
  loginPerIp: BucketSpec;
  /** Login and signup attempts per email address (a successful login gives its token back). */
  authPerEmail: BucketSpec;
  pairingCreatePerUser: BucketSpec;
  pairingRedeemPerIp: BucketSpec;
  invitesPerUser: BucketSpec;
  inviteRedeemPerUser: BucketSpec;
  pushTestPerUser: BucketSpec;
}

export const DEFAULT_LIMITS: Limits = {
  maxSessionsPerUser: 500,
  maxSocketsPerUser: 20,
  wsMessagesPerSecond: 20,
  wsMessageBurst: 40,
  dsMaxStreamsPerUser: 1_000,
  dsMaxBytesPerUser: 256 * 1024 * 1024,
};

export const DEFAULT_RATE_LIMITS: RateLimits = {
  signupPerIp: { burst: 10, refillPerMinute: 1 },
  loginPerIp: { burst: 20, refillPerMinute: 10 },
  authPerEmail: { burst: 5, refillPerMinute: 1 },
  pairingCreatePerUser: { burst: 10, refillPerMinute: 2 },
  // Each guess is one of 2^50 codes; see docs/security.md for why this rate keeps guessing hopeless.
  pairingRedeemPerIp: { burst: 10, refillPerMinute: 5 },
  invitesPerUser: { burst: 20, refillPerMinute: 5 },
  inviteRedeemPerUser: { burst: 10, refillPerMinute: 5 },
  pushTestPerUser: { burst: 5, refillPerMinute: 2 },
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function str(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function trustProxy(env: NodeJS.ProcessEnv): boolean | number {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw) && Number(raw) <= 10) return Number(raw);
  throw new ConfigError('TRUST_PROXY', `must be false, true or the number of proxy hops (1–10), got "${raw}"`);
}

const ORIGIN_PATTERN = /^https:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i;

/** PUSH_ALLOWED_ORIGINS: comma-separated origins; the word `default` stands for the browsers' services. */
function pushOrigins(env: NodeJS.ProcessEnv): string[] {
  const raw = str(env, 'PUSH_ALLOWED_ORIGINS');
  if (raw === undefined) return DEFAULT_PUSH_ORIGINS;
  const out: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (item === 'default') {
      out.push(...DEFAULT_PUSH_ORIGINS);
      continue;
    }
    const origin = pushOrigin(item);
    if (!origin) throw new ConfigError('PUSH_ALLOWED_ORIGINS', `"${item}" is not an https origin such as https://push.example or https://*.push.example`);
    out.push(origin);
  }
  return out;
}

/**
 * An entry as endpoints are compared (server/push/endpoint-policy.ts): lower case, without
 * the default port (an endpoint's URL has none), and a port that exists — else undefined.
 */
function pushOrigin(item: string): string | undefined {
  if (!ORIGIN_PATTERN.test(item)) return undefined;
  const wildcard = item.startsWith('https://*.');
  let url: URL;
  try {
    url = new URL(wildcard ? `https://x.${item.slice('https://*.'.length)}` : item);
  } catch {
    return undefined;
  }
  return wildcard ? `https://*.${url.host.slice(2)}` : url.origin;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const baseUrl = str(env, 'OPENAI_BASE_URL');
  if (baseUrl && !/^https?:\/\//.test(baseUrl)) throw new ConfigError('OPENAI_BASE_URL', 'must be an http(s) URL');
  const publicUrl = str(env, 'PUBLIC_URL');
  let publicOrigin: string | undefined;
  if (publicUrl) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
      publicOrigin = u.origin;
    } catch {
      throw new ConfigError('PUBLIC_URL', `must be an http(s) URL such as https://focus.example, got "${publicUrl}"`);
    }
  }
  const contact = str(env, 'PUSH_CONTACT') ?? (publicOrigin?.startsWith('https://') ? publicOrigin : 'mailto:focus-coach@localhost');
  if (!/^(https:\/\/|mailto:)\S+$/.test(contact)) throw new ConfigError('PUSH_CONTACT', `must be an https: URL or a mailto: address, got "${contact}"`);
  const coach = (str(env, 'COACH') ?? 'auto') as CoachMode;
  if (!COACH_MODES.includes(coach)) throw new ConfigError('COACH', `must be one of ${COACH_MODES.join(', ')}, got "${coach}"`);
  if (coach === 'openai' && !str(env, 'OPENAI_API_KEY')) throw new ConfigError('OPENAI_API_KEY', 'is required when COACH=openai');
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '127.0.0.1',
    dataDir: str(env, 'DATA_DIR') ?? './data',
    databaseUrl,
    logLevel,
    coachPaceMs: int(env, 'COACH_PACE_MS', 35, 0, 10_000),
    openai: {
      apiKey: str(env, 'OPENAI_API_KEY'),
      baseUrl,
      model: str(env, 'OPENAI_MODEL') ?? 'gpt-4o-mini',
      timeoutMs: int(env, 'OPENAI_TIMEOUT_MS', 30_000, 1_000, 600_000),
    },
    coach,
    allowedOrigins: (str(env, 'ALLOWED_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    serveWeb: str(env, 'SERVE_WEB') !== 'false',
    instanceId: str(env, 'INSTANCE_ID'),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 1_000),
    eventCacheMb: int(env, 'EVENT_CACHE_MB', 64, 0, 65_536),
    dsLongPollTimeoutMs: int(env, 'DS_LONG_POLL_MS', 20_000, 100, 120_000),
    httpRequestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    metricsToken: str(env, 'METRICS_TOKEN'),
    secureCookies: publicOrigin?.startsWith('https://') ?? false,
    publicOrigin,
    trustProxy: trustProxy(env),
    wsHeartbeatMs: int(env, 'WS_HEARTBEAT_MS', 30_000, 50, 600_000),
    push: { allowedOrigins: pushOrigins(env), contact },
    limits: {
      ...DEFAULT_LIMITS,
      maxSessionsPerUser: int(env, 'MAX_SESSIONS_PER_USER', DEFAULT_LIMITS.maxSessionsPerUser, 1, 1_000_000),
      maxSocketsPerUser: int(env, 'MAX_SOCKETS_PER_USER', DEFAULT_LIMITS.maxSocketsPerUser, 1, 10_000),
      dsMaxStreamsPerUser: int(env, 'DS_MAX_STREAMS_PER_USER', DEFAULT_LIMITS.dsMaxStreamsPerUser, 1, 10_000_000),
      dsMaxBytesPerUser: int(env, 'DS_MAX_BYTES_PER_USER', DEFAULT_LIMITS.dsMaxBytesPerUser, 1, Number.MAX_SAFE_INTEGER),
    },
    rateLimits: DEFAULT_RATE_LIMITS,
  };
}

/** Test and tool helper: a full config from a few overrides, without touching process.env. */
export function configFrom(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...overrides };
}
