// Parses what a client sends over the session WebSocket, against the contract's frame schemas.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CLIENT_FRAMES, MAX_CLIENT_MESSAGE_ID_CHARS, MAX_MESSAGE_CHARS, type ClientFrame, type WsErrorCode } from '../contract/index.ts';
import { isStorableText } from './text-hygiene.ts';

export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  /** `clientMessageId` is echoed when readable, so a client can drop the rejected message from its outbox. */
  | { ok: false; code: WsErrorCode; message: string; clientMessageId?: string };

const checks = {
  'user.message': TypeCompiler.Compile(CLIENT_FRAMES['user.message']),
  cancel: TypeCompiler.Compile(CLIENT_FRAMES.cancel),
  ping: TypeCompiler.Compile(CLIENT_FRAMES.ping),
};

const bad = (code: WsErrorCode, message: string, clientMessageId?: unknown): ParsedFrame => {
  const echo = typeof clientMessageId === 'string' && clientMessageId.length <= MAX_CLIENT_MESSAGE_ID_CHARS ? { clientMessageId } : {};
  return { ok: false, code, message, ...echo };
};

export function parseClientFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return bad('invalid_json', 'Frames must be JSON objects');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('invalid_frame', 'Frames must be JSON objects');
  const f = value as Record<string, unknown>;
  switch (f.type) {
    case 'ping':
    case 'cancel':
      // Other properties are ignored; the frame is rebuilt so none travel further.
      return checks[f.type].Check(f) ? { ok: true, frame: { type: f.type } } : bad('invalid_frame', `Malformed ${f.type} frame`);
    case 'user.message': {
      if (checks['user.message'].Check(f)) {
        const { clientMessageId, text } = f;
        if (!isStorableText(text) || !isStorableText(clientMessageId)) {
          return bad('invalid_frame', 'user.message contains characters that cannot be stored (NUL or a broken surrogate pair)', clientMessageId);
        }
        return { ok: true, frame: { type: 'user.message', clientMessageId, text } };
      }
      const { clientMessageId, text } = f;
      const first = checks['user.message'].Errors(f).First();
      if (first?.path === '/clientMessageId' || first?.path === '/type') {
        return bad('invalid_frame', `user.message needs a clientMessageId string of 1–${MAX_CLIENT_MESSAGE_ID_CHARS} characters`);
      }
      if (typeof text === 'string' && text.length > MAX_MESSAGE_CHARS) return bad('message_too_long', `Messages are limited to ${MAX_MESSAGE_CHARS} characters`, clientMessageId);
      return bad('invalid_frame', 'user.message needs non-empty text', clientMessageId);
    }
    default:
      return bad('unknown_type', `Unknown frame type ${JSON.stringify(String(f.type ?? '')).slice(0, 60)}`);
  }
}
