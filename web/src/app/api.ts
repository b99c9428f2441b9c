// The HTTP API: same origin, cookie auth, JSON in and out, {error:{code,message}} on 4xx/5xx.

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

export interface User {
  id: string;
  email: string;
}
export type SessionKind = 'plan' | 'review';
export interface SessionSummary {
  id: string;
  title: string;
  kind: SessionKind;
  createdAt: string;
  lastSeq: number;
}

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface Api {
  me(): Promise<User | null>;
  signup(email: string, password: string): Promise<void>;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  listSessions(): Promise<SessionSummary[]>;
  createSession(input: { title?: string; kind?: SessionKind }): Promise<SessionSummary>;
  getSession(id: string): Promise<SessionSummary>;
  planMarkdown(weekKey: string): Promise<string>;
  planIcsUrl(weekKey: string): string;
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

  return {
    async me() {
      try {
        return (await json<{ user: User }>('GET', '/api/me')).user;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    async signup(email, password) {
      await request('POST', '/api/auth/signup', { email, password });
    },
    async login(email, password) {
      await request('POST', '/api/auth/login', { email, password });
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
    async planMarkdown(weekKey) {
      return (await request('GET', `${weekPath(weekKey)}/plan.md`)).text();
    },
    planIcsUrl(weekKey) {
      return `${baseUrl}${weekPath(weekKey)}/plan.ics`;
    },
  };
}
