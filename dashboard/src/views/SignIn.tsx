/**
 * The sign-in page: the token of `<state-dir>/api.token`, sent once as a Bearer token; the
 * server answers with an HttpOnly cookie the page itself never sees.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';

export function SignIn({ onSignedIn, refusedLink }: { onSignedIn: () => void; refusedLink: boolean }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(refusedLink ? 'The token in the link was not accepted. Enter the token to sign in.' : undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    if (!token.trim()) return setError('Enter the token (the content of <state-dir>/api.token).');
    setBusy(true);
    try {
      await api.signIn(token.trim());
      setToken('');
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'That token is not the controller’s token.' : e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Baton</h1>
      <p>
        Paste the controller’s token: the content of <code>.baton/api.token</code> (or of <code>api.token</code> in the
        state directory given to <code>baton up --state-dir</code>).
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} aria-describedby={error ? 'signin-error' : undefined} required />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p id="signin-error" class="error" role="alert">
        {error ?? ''}
      </p>
    </section>
  );
}
