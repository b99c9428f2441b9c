// A request body must arrive within a deadline. Node's own requestTimeout does not cut a
// body that trickles in (or stalls) after complete headers, so a stalled upload would hold
// its buffer and socket until the idle timeout; this cuts it with 408 and closes the connection.
import { Transform } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

export function bodyDeadline(deadlineMs: number) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: NodeJS.ReadableStream) => {
    const chunked = request.headers['transfer-encoding'] !== undefined;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (!chunked && !(declared > 0)) return payload;
    // Already received whole (a small body comes in the same packets as its headers): nothing
    // can stall, so no timer and no extra stream stage.
    if (!chunked && request.raw.readableLength >= declared) return payload;
    const timed = new Transform({
      transform(chunk, _encoding, done) {
        done(null, chunk);
      },
      flush(done) {
        clearTimeout(timer);
        done();
      },
    });
    const timer = setTimeout(() => {
      request.log.info({ deadlineMs }, 'request body timed out');
      reply.header('connection', 'close');
      timed.destroy(new ApiError(408, 'request_timeout', `The request body did not arrive within ${deadlineMs} ms`));
    }, deadlineMs);
    timed.once('close', () => clearTimeout(timer));
    // Answered without reading the body (a refusal): nothing left to wait for.
    reply.raw.once('finish', () => clearTimeout(timer));
    return pipeErrors(payload, timed);
  };
}

/** `source.pipe(through)`, except that an error of the source also fails `through` (pipe drops it). */
export function pipeErrors<T extends NodeJS.WritableStream & NodeJS.ReadableStream & { destroy(err?: Error): unknown }>(source: NodeJS.ReadableStream, through: T): T {
  source.once('error', (err) => through.destroy(err));
  return source.pipe(through);
}
