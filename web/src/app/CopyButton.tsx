import { useEffect, useRef, useState } from 'react';
import { copyText } from './clipboard.ts';

const COPIED_FOR_MS = 2_000;

/** A small "Copy" button that says "Copied" for a moment. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <button
      type="button"
      className="link-button copy-button"
      aria-label={state === 'idle' ? `${label} ${what}` : undefined}
      onClick={() =>
        void copyText(text).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          clearTimeout(timer.current);
          timer.current = setTimeout(() => setState('idle'), COPIED_FOR_MS);
        })
      }
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}
