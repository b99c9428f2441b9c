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
  /** Durable Streams: how long a long-poll read waits for data before answering 204. */
  dsLongPollTimeoutMs: number;
}

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
    secureCookies: publicUrl?.startsWith('https://') ?? false,
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 1_000),
    dsLongPollTimeoutMs: int(env, 'DS_LONG_POLL_MS', 20_000, 100, 120_000),
  };
}

/** Test and tool helper: a full config from a few overrides, without touching process.env. */
export function configFrom(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...overrides };
}
