// Whether something versioned changed while it was out of sight: the chat's plan drawer,
// closed on a phone, says "Updated" when a plan from another device or the coach lands.

import { useEffect, useRef, useState } from 'react';

/** True once `version` grew while `visible` was false; false again as soon as it is visible. */
export function useUnseenChange(version: number | null, visible: boolean): boolean {
  const seen = useRef<number | null>(null);
  const [unseen, setUnseen] = useState(false);
  useEffect(() => {
    if (version === null) return;
    if (visible || seen.current === null) {
      seen.current = version;
      setUnseen(false);
    } else if (version > seen.current) setUnseen(true);
  }, [version, visible]);
  return unseen;
}
