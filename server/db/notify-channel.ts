/** The one LISTEN/NOTIFY channel; payloads are pointers (SL8), see session/notification.ts. */
export const NOTIFY_CHANNEL = 'focus_coach';
