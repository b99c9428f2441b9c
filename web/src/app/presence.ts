// Presence frames ({"type":"presence","you":…,"devices":[…]}) → what the status strip shows.
// Ephemeral and untrusted: anything malformed is dropped rather than shown.

import type { PresenceDevice, PresenceFrame } from '../../../server/contract/index.ts';
import { SESSION_ROLES, type SessionRole } from '../../../server/contract/kinds.ts';
import { MAX_PRESENCE_LABEL_CHARS } from '../../../server/contract/limits.ts';

export type { PresenceDevice };
/** A presence frame without its type: `you` is this connection's device id. */
export type Presence = Omit<PresenceFrame, 'type'>;

export function parsePresence(raw: Record<string, unknown> | null): Presence | null {
  if (!raw || typeof raw.you !== 'string' || !Array.isArray(raw.devices)) return null;
  const devices: PresenceDevice[] = [];
  for (const d of raw.devices as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const { deviceId, label, connections, userId, name, role } = d as Record<string, unknown>;
    if (typeof deviceId !== 'string' || deviceId === '') continue;
    devices.push({
      deviceId,
      label: typeof label === 'string' && label.trim() !== '' ? label.trim().slice(0, MAX_PRESENCE_LABEL_CHARS) : 'Device',
      connections: typeof connections === 'number' && connections > 0 ? Math.floor(connections) : 1,
      ...(typeof userId === 'string' && userId ? { userId } : {}),
      ...(typeof name === 'string' && name.trim() ? { name: name.trim().slice(0, MAX_PRESENCE_LABEL_CHARS) } : {}),
      ...(SESSION_ROLES.includes(role as SessionRole) ? { role: role as SessionRole } : {}),
    });
  }
  return { you: raw.you, devices };
}

export interface PresenceEntry {
  deviceId: string;
  /** "This device", or the device's name. */
  name: string;
  isYou: boolean;
  /** Open tabs/windows of the session on that device. */
  connections: number;
}

/** This device first, then the others by name. */
export function presenceEntries(p: Presence | null): PresenceEntry[] {
  if (!p) return [];
  // Someone else's device (a partner's, or the owner's when you are the partner) shows who and in which role.
  const me = p.devices.find((d) => d.deviceId === p.you)?.userId;
  const someoneElse = (d: PresenceDevice) => me !== undefined && d.userId !== undefined && d.userId !== me;
  const entries = p.devices.map((d) => ({
    deviceId: d.deviceId,
    name: d.deviceId === p.you ? 'This device' : someoneElse(d) ? `${d.name ?? 'Someone'} (${d.role ?? 'guest'})` : d.label,
    isYou: d.deviceId === p.you,
    connections: d.connections,
  }));
  if (!entries.some((e) => e.isYou)) entries.push({ deviceId: p.you, name: 'This device', isYou: true, connections: 1 });
  return entries.sort((a, b) => Number(b.isYou) - Number(a.isYou) || a.name.localeCompare(b.name));
}

/** "This device", "This device and Alice’s phone", "This device and 2 other devices". */
export function presenceSummary(entries: readonly PresenceEntry[]): string {
  const others = entries.filter((e) => !e.isYou);
  if (others.length === 0) return 'Only this device';
  const [only] = others;
  if (only && others.length === 1) return `This device and ${only.name}`;
  return `This device and ${others.length} other devices`;
}

/** True when a device of another person (a partner, or the owner when you are the partner) is in the session. */
export function someoneElsePresent(p: Presence | null): boolean {
  if (!p) return false;
  const me = p.devices.find((d) => d.deviceId === p.you)?.userId;
  return me !== undefined && p.devices.some((d) => d.userId !== undefined && d.userId !== me);
}

/**
 * Whether the chat shows the handoff bar (Take over / Hand back). Only when a human can answer
 * instead of the coach: while someone holds the session, for a partner, or while another
 * person is in it. An owner alone sees no bar (nobody to hand over to, and no stale hint).
 */
export function showsHandoffBar(o: { held: boolean; viewerIsPartner: boolean; presence: Presence | null }): boolean {
  return o.held || o.viewerIsPartner || someoneElsePresent(o.presence);
}
