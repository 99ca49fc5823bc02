import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider, useQuery } from 'urql';
import { App } from './App';
import { callbackPath, loadConsoleConfig, OidcClient } from './auth/oidc';
import { SessionContext, type Me } from './auth/session';
import { createGqlClient } from './gql/client';
import { errorText } from './gql/errors';
import { Router } from './lib/router';
import './styles.css';

const ME = `query Me { me { name kind roles email } }`;

function Signed({ oidc }: { oidc: OidcClient }) {
  const gql = useMemo(() => createGqlClient(() => oidc.accessToken), [oidc]);
  useEffect(() => () => gql.dispose(), [gql]);
  return (
    <Provider value={gql.client}>
      <WithMe oidc={oidc} />
    </Provider>
  );
}

function WithMe({ oidc }: { oidc: OidcClient }) {
  const [{ data, error }] = useQuery<{ me: Me }>({ query: ME });
  if (error) return <Splash title="Airlock could not identify you" detail={errorText(error)} action={<button className="btn" onClick={() => void oidc.signOut()}>Sign out</button>} />;
  if (!data) return <Splash title="Loading…" />;
  const me = data.me;
  const value = { oidc, me, hasRole: (...roles: string[]) => roles.some((r) => me.roles.includes(r)) };
  return (
    <SessionContext.Provider value={value}>
      <App />
    </SessionContext.Provider>
  );
}

function Splash({ title, detail, action }: { title: string; detail?: string; action?: React.ReactNode }) {
  return (
    <main className="splash" id="main">
      <div className="splash-card">
        <h1>{title}</h1>
        {detail && <p>{detail}</p>}
        {action}
      </div>
    </main>
  );
}

function Root() {
  const [oidc, setOidc] = useState<OidcClient>();
  const [signedIn, setSignedIn] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const client = new OidcClient(await loadConsoleConfig());
        client.onChange(() => {
          setSignedIn(!!client.accessToken);
          // Refresh failed or signed out locally: start over at the IdP, back to this page.
          if (!client.accessToken) void client.signIn(`${window.location.pathname}${window.location.search}`);
        });
        if (cancelled) return;
        setOidc(client);
        const url = new URL(window.location.href);
        if (url.pathname === callbackPath) {
          const returnTo = await client.handleCallback(url);
          window.history.replaceState(null, '', returnTo);
          window.dispatchEvent(new PopStateEvent('popstate'));
        } else {
          await client.signIn(`${url.pathname}${url.search}`);
        }
      } catch (err) {
        if (!cancelled) setError((err as Error).message);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  if (error) return <Splash title="Sign-in problem" detail={error} action={<a className="btn" href="/">Try again</a>} />;
  if (!oidc || !signedIn) return <Splash title="Signing you in…" />;
  return (
    <Router>
      <Signed oidc={oidc} />
    </Router>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
