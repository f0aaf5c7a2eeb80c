/**
 * A rollout's verbs as real buttons named by their verb: `Promote`, `Promote full`, `Abort`,
 * `Retry`, `Pause`, `Resume`. Those that change traffic ask first, in a modal dialog (the
 * native <dialog>: focus moves into it, Escape cancels) with a `Confirm` button; the result or
 * the controller's refusal is then said in a status line. A verb that cannot apply in the
 * rollout's state is disabled, with the reason as its description.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ActionRequest, WorkloadDetail } from '../../../src/api/types.js';
import { api, ApiError } from '../api.js';

interface Verb {
  label: 'Promote' | 'Promote full' | 'Abort' | 'Retry' | 'Pause' | 'Resume';
  request: ActionRequest;
  /** Changes traffic: asks first. */
  confirm: boolean;
  /** What it does, said in the dialog. */
  explain: string;
  /** Why it cannot apply now, or undefined when it can. */
  unavailable(d: WorkloadDetail): string | undefined;
}

const inRelease = (d: WorkloadDetail): boolean => !d.aborted && d.currentRevision !== undefined && d.currentRevision !== d.stableRevision;

const VERBS: Verb[] = [
  { label: 'Promote', request: { action: 'promote' }, confirm: true, explain: 'ends the current pause or step and goes on to the next step: more traffic moves to the new revision.', unavailable: (d) => (inRelease(d) ? undefined : 'no release in progress') },
  { label: 'Promote full', request: { action: 'promote', full: true }, confirm: true, explain: 'skips every remaining step and analysis: the new revision takes all the traffic.', unavailable: (d) => (inRelease(d) ? undefined : 'no release in progress') },
  { label: 'Abort', request: { action: 'abort' }, confirm: true, explain: 'stops the release: all traffic goes back to the stable revision and the new revision is scaled down.', unavailable: (d) => (inRelease(d) ? undefined : d.aborted ? 'already aborted' : 'no release in progress') },
  { label: 'Retry', request: { action: 'retry' }, confirm: true, explain: 'starts the aborted release again from its first step: traffic moves to the new revision again.', unavailable: (d) => (d.aborted ? undefined : 'only an aborted release can be retried') },
  { label: 'Pause', request: { action: 'pause' }, confirm: false, explain: 'holds the release at its current step; traffic stays as it is.', unavailable: (d) => (d.paused ? 'already paused' : inRelease(d) ? undefined : 'no release in progress') },
  { label: 'Resume', request: { action: 'resume' }, confirm: true, explain: 'ends the pause: the release goes on to its next step and more traffic may move.', unavailable: (d) => (d.paused ? undefined : 'not paused') },
];

export function Actions({ detail, onDone }: { detail: WorkloadDetail; onDone: (d: WorkloadDetail) => void }) {
  const [asking, setAsking] = useState<Verb | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const run = async (verb: Verb, reason?: string): Promise<void> => {
    setBusy(true);
    setResult(undefined);
    try {
      const req: ActionRequest = reason ? { ...verb.request, reason } : verb.request;
      const d = await api.act(detail.name, req);
      setResult({ ok: true, text: `${verb.label}: done. ${detail.name} is ${d.phase}${d.message ? ` (${d.message})` : ''}.` });
      onDone(d);
    } catch (e) {
      setResult({ ok: false, text: `${verb.label} refused: ${e instanceof ApiError ? `${e.message} (${e.code})` : String(e)}` });
    } finally {
      setBusy(false);
    }
  };
  if (detail.kind !== 'Rollout') {
    return <p class="hint">A Deployment changes with <code>baton set image</code> and <code>baton restart</code>.</p>;
  }
  return (
    <section class="actions" aria-labelledby="actions-title">
      <h2 id="actions-title" class="visually-hidden">
        Actions
      </h2>
      <div class="buttons">
        {VERBS.map((v) => {
          const why = v.unavailable(detail);
          const hint = `action-hint-${v.label.replace(' ', '-').toLowerCase()}`;
          return (
            <span key={v.label}>
              <button type="button" class={v.label === 'Abort' ? 'danger' : ''} disabled={busy || why !== undefined} aria-describedby={why ? hint : undefined} onClick={() => (v.confirm ? setAsking(v) : void run(v))}>
                {v.label}
              </button>
              {why ? (
                <span id={hint} class="visually-hidden">
                  {why}
                </span>
              ) : null}
            </span>
          );
        })}
      </div>
      <p class={`result ${result && !result.ok ? 'error' : ''}`} role="status">
        {result?.text ?? ''}
      </p>
      {asking ? (
        <ConfirmDialog
          verb={asking}
          name={detail.name}
          onCancel={() => setAsking(undefined)}
          onConfirm={(reason) => {
            const v = asking;
            setAsking(undefined);
            void run(v, reason);
          }}
        />
      ) : null}
    </section>
  );
}

function ConfirmDialog({ verb, name, onCancel, onConfirm }: { verb: Verb; name: string; onCancel: () => void; onConfirm: (reason?: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text" onCancel={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm(reason.trim() || undefined);
        }}
      >
        <h2 id="confirm-title">
          {verb.label} {name}?
        </h2>
        <p id="confirm-text">
          {verb.label} {verb.explain}
        </p>
        {verb.request.action === 'abort' ? (
          <p>
            <label for="abort-reason">Reason (kept with the abort)</label>
            <input id="abort-reason" type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} maxLength={500} />
          </p>
        ) : null}
        <div class="buttons">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class={verb.label === 'Abort' ? 'danger' : 'primary'}>
            Confirm
          </button>
        </div>
      </form>
    </dialog>
  );
}
