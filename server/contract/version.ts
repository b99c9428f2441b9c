/**
 * The wire protocol's version (docs/protocol.md). Raised on any change an old client cannot
 * ignore; additive changes (a new event type, a new optional field) keep it.
 */
export const PROTOCOL_VERSION = 1;
