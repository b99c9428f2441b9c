// The wire contract of Focus Coach, in one place (docs/protocol.md). Server code imports
// from here; the web app imports types from here and values only from the plain-value
// files (limits.ts, kinds.ts, close-codes.ts, version.ts) so TypeBox stays out of its bundle.
export * from './version.ts';
export * from './limits.ts';
export * from './kinds.ts';
export * from './close-codes.ts';
export * from './events.ts';
export * from './frames.ts';
export * from './http.ts';
export { ajvFinite, Int, StringEnum } from './schema-kit.ts';
