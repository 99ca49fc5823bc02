import { lazy, Suspense, useEffect, useRef, type ComponentType, type LazyExoticComponent } from 'react';
import { primaryRole, useSession } from './auth/session';
import { ReviewFeedProvider, useReviewFeed } from './gql/feed';
import { Link, useRouter } from './lib/router';
import { useTheme, type Theme } from './lib/theme';

interface PageDef {
  path: string;
  label: string;
  title: string;
  component: LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
}

// Each page is its own chunk: an approver opening the inbox never downloads the charts.
const pages: PageDef[] = [
  { path: '/reviews', label: 'Reviews', title: 'Reviews', component: lazy(() => import('./pages/Reviews')) },
  { path: '/sessions', label: 'Sessions', title: 'Sessions', component: lazy(() => import('./pages/Sessions')) },
  { path: '/connections', label: 'Connections', title: 'Connections', component: lazy(() => import('./pages/Connections')) },
  { path: '/rules', label: 'Rules', title: 'Rules', component: lazy(() => import('./pages/Rules')) },
  { path: '/access-review', label: 'Access review', title: 'Access review', component: lazy(() => import('./pages/AccessReview')) },
  { path: '/workers', label: 'Workers', title: 'Workers', component: lazy(() => import('./pages/Workers')) },
];
const SessionReplay = lazy(() => import('./pages/SessionReplay'));

function resolve(path: string): { page: PageDef | undefined; Component: PageDef['component'] | undefined; params: Record<string, string>; title: string } {
  const replay = /^\/sessions\/([^/]+)$/.exec(path);
  if (replay) return { page: pages[1], Component: SessionReplay, params: { id: decodeURIComponent(replay[1]) }, title: 'Session replay' };
  const page = pages.find((p) => p.path === path);
  return { page, Component: page?.component, params: {}, title: page?.title ?? 'Not found' };
}

export function App() {
  const { me, hasRole } = useSession();
  const feedEnabled = hasRole('APPROVER', 'ADMIN', 'AUDITOR');
  return (
    <ReviewFeedProvider enabled={feedEnabled}>
      <Shell meName={me.name} role={primaryRole(me.roles)} />
    </ReviewFeedProvider>
  );
}

function Shell({ meName, role }: { meName: string; role: string }) {
  const { path, navigate } = useRouter();
  const { oidc, me } = useSession();
  const feed = useReviewFeed();
  const [theme, setTheme] = useTheme();
  const main = useRef<HTMLElement>(null);
  const firstTitle = useRef(true);

  useEffect(() => {
    if (path === '/' || path === '/callback') navigate('/reviews', { replace: true });
  }, [path, navigate]);

  const { page, Component, params, title } = resolve(path);
  useEffect(() => {
    const count = document.title.match(/^\(\d+\) /)?.[0] ?? '';
    document.title = `${count}${title} · Airlock`;
    // Move focus to the page on navigation so screen readers announce it (not on first load: the skip link comes first).
    if (firstTitle.current) firstTitle.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [title]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/reviews" className="brand" aria-label="Airlock home">
          <svg viewBox="0 0 16 16" width="22" height="22" aria-hidden="true">
            <rect width="16" height="16" rx="3" className="brand-mark" />
            <path d="M4 11V6a4 4 0 0 1 8 0v5" stroke="white" strokeWidth="2" fill="none" />
          </svg>
          <span>Airlock</span>
        </Link>
        <nav aria-label="Main" className="nav">
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <Link to={p.path} aria-current={page === p ? 'page' : undefined}>
                  {p.label}
                  {p.path === '/reviews' && feed.pending.length > 0 && (
                    <span className="badge" aria-label={`${feed.pending.length} pending`}>
                      {feed.pending.length}
                    </span>
                  )}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who" data-testid="who">
          <span className="who-name" title={me.email ?? undefined}>
            {meName}
          </span>
          <span className="role" data-testid="role">
            {role}
          </span>
          <label className="theme-pick">
            <span className="sr-only">Theme</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="system">Auto theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <button type="button" className="btn btn-quiet" onClick={() => void oidc.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="sr-only" aria-live="polite" role="status">
        {feed.announcement}
      </div>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {Component ? (
            <Component params={params} />
          ) : (
            <section>
              <h1>Not found</h1>
              <p>
                There is no page at <code>{path}</code>. <Link to="/reviews">Go to the review inbox</Link>.
              </p>
            </section>
          )}
        </Suspense>
      </main>
    </div>
  );
}
