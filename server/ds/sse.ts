// Server-sent event framing (PROTOCOL §5.8). Payload lines are split on every SSE line
// terminator (CRLF, CR, LF) and each gets its own `data:` prefix, so stream content can
// never end an event early or inject one (the CRLF-injection conformance tests).

export interface ControlEvent {
  streamNextOffset: string;
  streamCursor?: string;
  upToDate?: true;
  streamClosed?: true;
}

export function sseDataEvent(payload: string): string {
  const lines = payload.split(/\r\n|\r|\n/);
  // A parser strips one space after "data:", so a line that starts with a space gets one extra.
  return `event: data\n${lines.map((l) => `data:${l.startsWith(' ') ? ` ${l}` : l}`).join('\n')}\n\n`;
}

export function sseControlEvent(control: ControlEvent): string {
  return `event: control\ndata:${JSON.stringify(control)}\n\n`;
}

/** A comment line: keeps idle connections (and proxies in between) from timing out. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';
