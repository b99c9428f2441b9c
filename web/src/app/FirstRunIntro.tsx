/** What FOCUS is and what happens next, in two lines, while the coach prepares its first question. */
export function FirstRunIntro({ kind }: { kind?: string }) {
  return (
    <div className="first-run">
      <p>
        <strong>FOCUS</strong> is a weekly planning method: <strong>F</strong>ind your priorities, <strong>O</strong>ptimise your environment,{' '}
        <strong>C</strong>ommit to deep work, <strong>U</strong>nplug and recharge, <strong>S</strong>implify and reflect.
      </p>
      <p className="muted">
        {kind === 'review'
          ? 'Your coach asks what went well, where the time went and what to drop, then carries what matters into next week.'
          : 'Your coach asks a few short questions, one at a time, and builds your week as you answer: big rocks, focus blocks and a calendar you can export.'}
      </p>
    </div>
  );
}
