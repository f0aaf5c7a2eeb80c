/**
 * The dashboard: sign-in, the list of workloads, one workload's page, and the live stream that
 * keeps them current. Routes are in the URL's fragment (`#/`, `#/workloads/NAME`), so the
 * server serves one page at its root and the back button works.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorized } from './api.js';
import { LiveContext } from './hooks.js';
import { connectLive, type Live, type LiveState } from './live.js';
import { ListPage } from './views/ListPage.js';
import { RolloutPage } from './views/RolloutPage.js';
import { SignIn } from './views/SignIn.js';

type Auth = 'checking' | 'signed-out' | 'signed-in';

/** The page the fragment names: the list, or one workload. */
function routeOf(hash: string): { workload?: string } {
  const m = /^#\/workloads\/([^/?#]+)/.exec(hash);
  if (!m?.[1]) return {};
  try {
    return { workload: decodeURIComponent(m[1]) };
  } catch {
    return {};
  }
}

function useRoute(): { workload?: string } {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return routeOf(hash);
}

const LIVE_TEXT: Record<LiveState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

function App() {
  const [auth, setAuth] = useState<Auth>('checking');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [live, setLive] = useState<Live | undefined>(undefined);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const route = useRoute();
  const refused = new URLSearchParams(location.search).get('signin') === 'refused';

  const check = (): void => {
    api.session().then(
      () => setAuth('signed-in'),
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setAuth('signed-out');
        else setProblem(e instanceof Error ? e.message : String(e));
      },
    );
  };
  useEffect(() => {
    check();
    return onUnauthorized(() => setAuth('signed-out'));
  }, []);
  useEffect(() => {
    if (auth !== 'signed-in') return undefined;
    // A stream the browser gave up on may mean the session ended: ask, and show the sign-in page if so.
    const l = connectLive({ onState: setLiveState, onGaveUp: check });
    setLive(l);
    return () => {
      l.close();
      setLive(undefined);
    };
  }, [auth]);
  useEffect(() => {
    document.title = route.workload ? `${route.workload} · Baton` : 'Baton';
  }, [route.workload]);

  const signOut = async (): Promise<void> => {
    await api.signOut().catch(() => undefined);
    setAuth('signed-out');
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          Baton
        </a>
        {auth === 'signed-in' ? (
          <>
            <span class={`live live-${liveState}`} role="status" data-testid="live-state">
              <span aria-hidden="true" class="dot" /> {LIVE_TEXT[liveState]}
            </span>
            <button type="button" class="link" onClick={() => void signOut()}>
              Sign out
            </button>
          </>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {problem && auth === 'checking' ? (
          <p class="error" role="alert">
            {problem}
          </p>
        ) : auth === 'checking' ? (
          <p role="status">Loading…</p>
        ) : auth === 'signed-out' ? (
          <SignIn
            refusedLink={refused}
            onSignedIn={() => {
              if (refused) history.replaceState(null, '', location.pathname + location.hash);
              setAuth('signed-in');
            }}
          />
        ) : (
          <LiveContext.Provider value={live}>{route.workload ? <RolloutPage key={route.workload} name={route.workload} /> : <ListPage />}</LiveContext.Provider>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
