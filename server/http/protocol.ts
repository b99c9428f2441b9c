import { MAX_MESSAGE_CHARS } from '../session/session-service.ts';
import { TURN_REQUEST_MODES, type TurnRequestMode } from '../session/types.ts';
import { isStorableText } from './text-hygiene.ts';

/** Frames a client may send over the session WebSocket (docs/protocol.md). */
export type ClientFrame =
  | { type: 'user.message'; clientMessageId: string; text: string }
  | { type: 'cancel' }
  | { type: 'ping' }
  /** SL14: retry or continue the latest answer, or let the coach open the conversation. */
  | { type: 'turn.request'; requestId: string; mode: TurnRequestMode; messageId?: string };

export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  /** `clientMessageId` is echoed when readable, so a client can drop the rejected message from its outbox. */
  | { ok: false; code: string; message: string; clientMessageId?: string };

export const MAX_CLIENT_MESSAGE_ID_CHARS = 100;

const bad = (code: string, message: string): ParsedFrame => ({ ok: false, code, message });

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
      return { ok: true, frame: { type: 'ping' } };
    case 'cancel':
      return { ok: true, frame: { type: 'cancel' } };
    case 'user.message': {
      const { clientMessageId, text } = f;
      const echo = typeof clientMessageId === 'string' && clientMessageId.length <= MAX_CLIENT_MESSAGE_ID_CHARS ? { clientMessageId } : {};
      if (typeof clientMessageId !== 'string' || clientMessageId.length === 0 || clientMessageId.length > MAX_CLIENT_MESSAGE_ID_CHARS) {
        return bad('invalid_frame', `user.message needs a clientMessageId string of 1–${MAX_CLIENT_MESSAGE_ID_CHARS} characters`);
      }
      if (typeof text !== 'string' || text.trim().length === 0) return { ...bad('invalid_frame', 'user.message needs non-empty text'), ...echo };
      if (text.length > MAX_MESSAGE_CHARS) return { ...bad('message_too_long', `Messages are limited to ${MAX_MESSAGE_CHARS} characters`), ...echo };
      if (!isStorableText(text) || !isStorableText(clientMessageId)) return { ...bad('invalid_frame', 'user.message contains characters that cannot be stored (NUL or a broken surrogate pair)'), ...echo };
      return { ok: true, frame: { type: 'user.message', clientMessageId, text } };
    }
    case 'turn.request': {
      const { requestId, mode, messageId } = f;
      if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > MAX_CLIENT_MESSAGE_ID_CHARS || !isStorableText(requestId)) {
        return bad('invalid_frame', `turn.request needs a requestId string of 1–${MAX_CLIENT_MESSAGE_ID_CHARS} characters`);
      }
      if (typeof mode !== 'string' || !TURN_REQUEST_MODES.includes(mode as TurnRequestMode)) {
        return bad('invalid_frame', `turn.request needs a mode: ${TURN_REQUEST_MODES.join(', ')}`);
      }
      if (mode === 'open') return { ok: true, frame: { type: 'turn.request', requestId, mode } };
      if (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > MAX_CLIENT_MESSAGE_ID_CHARS || !isStorableText(messageId)) {
        return bad('invalid_frame', `turn.request with mode ${mode} needs the messageId of the answer`);
      }
      return { ok: true, frame: { type: 'turn.request', requestId, mode: mode as TurnRequestMode, messageId } };
    }
    default:
      return bad('unknown_type', `Unknown frame type ${JSON.stringify(String(f.type ?? '')).slice(0, 60)}`);
  }
}
