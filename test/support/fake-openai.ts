// A real OpenAI-compatible HTTP server for tests: POST /v1/chat/completions with stream:true,
// answered from a queue of scripts. It records every request and whether the client hung up early,
// so tests can drive the real `openai` SDK end to end without module mocking.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  id: string;
  name: string;
  /** The full arguments JSON; the server splits it across chunks. */
  arguments: string;
}

export type FakeScript =
  /** Text split into the given chunks, one SSE event each, `delayMs` apart. */
  | { kind: 'text'; chunks: string[]; delayMs?: number; finishReason?: string; usageChunk?: boolean }
  /** Optional text, then tool-call deltas with each call's arguments split into `argumentPieces` fragments. */
  | { kind: 'tool_calls'; text?: string[]; calls: FakeToolCall[]; argumentPieces?: number; delayMs?: number }
  /** Raw SSE data payloads: objects are JSON-encoded, strings are sent verbatim after `data: `. */
  | { kind: 'raw'; events: (object | string)[]; delayMs?: number; done?: boolean }
  | { kind: 'http_error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accepts the request and never answers: the client's timeout must fire. */
  | { kind: 'hang' }
  /** Some good text chunks, then `data: {not json`. */
  | { kind: 'malformed'; before?: string[] }
  /** Text chunks every `delayMs` until the client hangs up (for cancel tests). */
  | { kind: 'infinite'; delayMs: number; text?: string }
  /** Sends the given text chunks and then closes the connection without finish_reason or [DONE]. */
  | { kind: 'truncated'; chunks: string[] };

export interface RecordedRequest {
  /** 0-based order of arrival. */
  index: number;
  method: string;
  path: string;
  /** Parsed JSON body (messages, tools, model, stream, …). */
  body: any;
  authorization: string | undefined;
  receivedAtMs: number;
  /** Script kind used to answer (or "none" when the queue was empty). */
  script: FakeScript['kind'] | 'none';
  /** True once the server finished writing its response. */
  completed: boolean;
  /** True if the client closed the connection before the response was finished. */
  clientClosedEarly: boolean;
  closedAtMs: number | undefined;
  /** SSE data events written before the connection ended. */
  eventsSent: number;
}

export interface FakeOpenAi {
  /** Base URL for the SDK, including `/v1`. */
  url: string;
  requests: RecordedRequest[];
  enqueue(...scripts: FakeScript[]): void;
  /** Drops scripts nobody asked for (e.g. a spare for a retry that did not happen). */
  clear(): void;
  /** Resolves with the request the client hung up on: request `index`, or the first one (already or next) if omitted. */
  waitForClientClose(index?: number, timeoutMs?: number): Promise<RecordedRequest>;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const FAKE_MODEL = 'fake-gpt';
const DEFAULT_WAIT_MS = 5_000;

let chunkSeq = 0;

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): object {
  return {
    id: `chatcmpl-fake-${++chunkSeq}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: FAKE_MODEL,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}

function splitInto(text: string, pieces: number): string[] {
  if (pieces <= 1 || text.length <= 1) return [text];
  const size = Math.ceil(text.length / pieces);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function toolCallEvents(s: Extract<FakeScript, { kind: 'tool_calls' }>): object[] {
  const events: object[] = [];
  (s.text ?? []).forEach((t, i) => events.push(chunk(i === 0 ? { role: 'assistant', content: t } : { content: t })));
  s.calls.forEach((c, index) => {
    // First fragment: id, type and name with empty arguments, as OpenAI does.
    events.push(
      chunk({
        ...(index === 0 && !s.text?.length ? { role: 'assistant', content: null } : {}),
        tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }],
      }),
    );
    for (const piece of splitInto(c.arguments, s.argumentPieces ?? 3)) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(chunk({}, 'tool_calls'));
  return events;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const queue: FakeScript[] = [];
  const requests: RecordedRequest[] = [];
  const closeWaiters: { index: number | undefined; resolve: (r: RecordedRequest) => void }[] = [];
  const requestWaiters: { count: number; resolve: (r: RecordedRequest[]) => void }[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closing = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const notifyRequests = () => {
    for (const w of [...requestWaiters]) {
      if (requests.length >= w.count) {
        requestWaiters.splice(requestWaiters.indexOf(w), 1);
        w.resolve(requests.slice(0, w.count));
      }
    }
  };
  const notifyClose = (rec: RecordedRequest) => {
    for (const w of [...closeWaiters]) {
      if (w.index === undefined || w.index === rec.index) {
        closeWaiters.splice(closeWaiters.indexOf(w), 1);
        w.resolve(rec);
      }
    }
  };

  async function readBody(req: IncomingMessage): Promise<string> {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const script = queue.shift();
    const rec: RecordedRequest = {
      index: requests.length,
      method: req.method ?? '',
      path: req.url ?? '',
      body,
      authorization: req.headers.authorization,
      receivedAtMs: Date.now(),
      script: script?.kind ?? 'none',
      completed: false,
      clientClosedEarly: false,
      closedAtMs: undefined,
      eventsSent: 0,
    };
    requests.push(rec);
    // 'close' on the response fires when the socket goes away; before 'finish' it means the client hung up.
    res.on('close', () => {
      rec.closedAtMs = Date.now();
      if (!res.writableFinished) {
        rec.clientClosedEarly = true;
        notifyClose(rec);
      }
    });
    notifyRequests();

    const gone = () => closing || res.destroyed || rec.clientClosedEarly;
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const finishResponse = () => {
      rec.completed = true;
      res.end();
    };

    if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
      return json(404, { error: { message: `fake-openai: no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    if (!script) {
      return json(500, { error: { message: 'fake-openai: no script queued for this request', type: 'server_error' } });
    }
    if (script.kind === 'http_error') {
      return json(script.status, script.body ?? { error: { message: `fake error ${script.status}`, type: 'server_error' } }, script.headers);
    }
    if (script.kind === 'hang') return; // never answer; close() or the client's abort ends it

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const send = (payload: object | string) => {
      if (gone()) return;
      res.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`);
      rec.eventsSent++;
    };
    const paced = async (events: (object | string)[], delayMs = 0) => {
      for (const [i, event] of events.entries()) {
        if (gone()) return false;
        if (i > 0 && delayMs > 0) await sleep(delayMs);
        send(event);
      }
      return !gone();
    };

    switch (script.kind) {
      case 'text': {
        const events: object[] = script.chunks.map((t, i) => chunk(i === 0 ? { role: 'assistant', content: t } : { content: t }));
        events.push(chunk({}, script.finishReason ?? 'stop'));
        if (script.usageChunk) {
          events.push({ id: 'chatcmpl-usage', object: 'chat.completion.chunk', created: 0, model: FAKE_MODEL, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
        }
        if (await paced(events, script.delayMs)) {
          send('[DONE]');
          finishResponse();
        }
        return;
      }
      case 'tool_calls':
        if (await paced(toolCallEvents(script), script.delayMs)) {
          send('[DONE]');
          finishResponse();
        }
        return;
      case 'raw':
        if (await paced(script.events, script.delayMs)) {
          if (script.done !== false) send('[DONE]');
          finishResponse();
        }
        return;
      case 'malformed':
        if (await paced((script.before ?? []).map((t) => chunk({ content: t })))) {
          send('{not json');
          send('[DONE]');
          finishResponse();
        }
        return;
      case 'truncated':
        await paced(script.chunks.map((t) => chunk({ content: t })));
        // Close the connection cleanly without finish_reason or [DONE].
        finishResponse();
        return;
      case 'infinite': {
        let n = 0;
        send(chunk({ role: 'assistant', content: '' }));
        while (!gone()) {
          send(chunk({ content: `${script.text ?? 'word'}${n++} ` }));
          await sleep(script.delayMs);
        }
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake-openai: timed out after ${ms} ms waiting for ${what}`)), ms);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    clear() {
      queue.length = 0;
    },
    enqueue(...scripts) {
      queue.push(...scripts);
    },
    waitForClientClose(index, timeoutMs = DEFAULT_WAIT_MS) {
      const already = requests.find((r) => r.clientClosedEarly && (index === undefined || r.index === index));
      if (already) return Promise.resolve(already);
      return withTimeout(
        new Promise<RecordedRequest>((resolve) => closeWaiters.push({ index, resolve })),
        timeoutMs,
        `the client to close request ${index ?? '(next)'}`,
      );
    },
    waitForRequests(count, timeoutMs = DEFAULT_WAIT_MS) {
      if (requests.length >= count) return Promise.resolve(requests.slice(0, count));
      return withTimeout(new Promise<RecordedRequest[]>((resolve) => requestWaiters.push({ count, resolve })), timeoutMs, `${count} requests`);
    },
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
