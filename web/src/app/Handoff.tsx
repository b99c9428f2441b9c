import { useId, useRef, useState } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';
import { ApiError, type Api, type Invite, type Partner } from './api.ts';
import { copyText } from './clipboard.ts';
import { parsePresence, showsHandoffBar } from './presence.ts';

/** "Coach paused: Alex is answering", with Take over / Hand back; shown only when a human can take over (showsHandoffBar). */
export function HandoffBar({ api, client, sessionId, meId, partner }: { api: Api; client: SessionClient; sessionId: string; meId: string | null; partner: boolean }) {
  const holder = useSessionSelector(client, (s) => s.transcript.handoff);
  const presence = useSessionSelector(client, (s) => s.presence);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(f: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  }

  const mine = holder !== null && holder.userId === meId;
  if (!showsHandoffBar({ held: holder !== null, viewerIsPartner: partner, presence: parsePresence(presence) })) return null;
  return (
    <div className={`handoff${holder ? ' paused' : ''}`} data-testid="handoff">
      {holder ? (
        <p role="status" className="handoff-banner">
          {mine ? 'Coach paused: you are answering' : `Coach paused: ${holder.displayName} is answering`}
        </p>
      ) : (
        <p className="muted small">The coach answers messages here.</p>
      )}
      <div className="row">
        {holder ? (
          <button type="button" className="secondary small-button" disabled={busy} onClick={() => void act(() => api.handBack(sessionId))}>
            Hand back
          </button>
        ) : (
          <button type="button" className="secondary small-button" disabled={busy} onClick={() => void act(() => api.takeOver(sessionId))}>
            Take over
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </div>
  );
}

type InviteState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; invite: Invite } | { kind: 'error'; message: string };

/** The owner invites a partner by link or QR code, and sees (and removes) partners. */
export function InviteButton({ api, sessionId }: { api: Api; sessionId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, setState] = useState<InviteState>({ kind: 'idle' });
  const [partners, setPartners] = useState<Partner[] | null>(null);
  const [note, setNote] = useState('');
  const titleId = useId();
  const linkId = useId();

  async function load() {
    setState({ kind: 'loading' });
    setNote('');
    try {
      const [invite, list] = await Promise.all([api.createInvite(sessionId), api.listPartners(sessionId)]);
      setPartners(list);
      setState({ kind: 'ready', invite });
    } catch (e) {
      setState({ kind: 'error', message: e instanceof ApiError ? e.message : 'Could not make an invite.' });
    }
  }

  async function remove(p: Partner) {
    try {
      await api.removePartner(sessionId, p.userId);
      setPartners((cur) => cur?.filter((x) => x.userId !== p.userId) ?? null);
      setNote(`${p.displayName} was removed.`);
    } catch (e) {
      setNote(e instanceof ApiError ? e.message : 'Could not remove them.');
    }
  }

  const qrSrc = state.kind === 'ready' ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(state.invite.qrSvg)}` : '';
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-haspopup="dialog"
        onClick={() => {
          dialog.current?.showModal();
          void load();
        }}
      >
        Invite
      </button>
      <dialog ref={dialog} className="pair-dialog" aria-labelledby={titleId} onClose={() => setState({ kind: 'idle' })}>
        <h2 id={titleId}>Invite a partner</h2>
        <p className="muted small">
          An accountability partner or a human coach joins this conversation: they see it live with this week’s plan, can write, and can take over
          from the coach. They see nothing else of yours. The link works once, for 7 days.
        </p>
        <div className="pair-body" aria-busy={state.kind === 'loading'}>
          {state.kind === 'loading' && <div className="qr placeholder" role="status">Making an invite…</div>}
          {state.kind === 'error' && (
            <p role="alert" className="error">
              {state.message}
            </p>
          )}
          {state.kind === 'ready' && (
            <>
              <img className="qr" src={qrSrc} width={208} height={208} alt={`QR code for ${state.invite.url}`} />
              <div className="pair-details">
                <label htmlFor={linkId} className="small">
                  Invite link
                </label>
                <div className="row nowrap">
                  <input id={linkId} readOnly value={state.invite.url} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
                  <button
                    type="button"
                    className="secondary small-button"
                    onClick={() => void copyText(state.invite.url).then((ok) => setNote(ok ? 'Link copied' : 'Select the link and copy it'))}
                  >
                    Copy link
                  </button>
                </div>
              </div>
            </>
          )}
        </div>
        {partners && partners.length > 0 && (
          <>
            <h3 className="small">In this session</h3>
            <ul className="partners">
              {partners.map((p) => (
                <li key={p.userId} className="row">
                  <span>{p.displayName}</span>
                  <button type="button" className="secondary small-button" onClick={() => void remove(p)}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        <p className="small muted" role="status">
          {note}
        </p>
        <div className="row end">
          <button type="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
