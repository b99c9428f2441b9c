// Touch keyboards have no Shift+Enter: there Enter makes a new line and the Send button sends.

/** True when the primary pointer is coarse (a phone or tablet), so Enter should not send. */
export function prefersTouchInput(mm: ((q: string) => { matches: boolean }) | undefined = typeof matchMedia === 'function' ? matchMedia : undefined): boolean {
  if (!mm) return false;
  try {
    return mm('(pointer: coarse)').matches && !mm('(pointer: fine)').matches;
  } catch {
    return false;
  }
}

/** Whether a keydown in the message box sends: Enter without Shift, not while composing, not on touch keyboards. */
export function enterSends(e: { key: string; shiftKey: boolean; isComposing: boolean }, touch: boolean): boolean {
  return !touch && e.key === 'Enter' && !e.shiftKey && !e.isComposing;
}
