import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { SqlCode } from '../components/SqlCode';
import { InlineError, StateView } from '../components/StateView';
import { Tabs } from '../components/Tabs';
import { useReviewFeed } from '../gql/feed';
import { DECIDE_REVIEW, REVIEW_HISTORY, type ReviewRequest } from '../gql/reviews';
import { useSession } from '../auth/session';
import { Link } from '../lib/router';
import { ago, duration, formatTime, useNow } from '../lib/time';

type Tab = 'pending' | 'access' | 'history';

export default function Reviews() {
  const feed = useReviewFeed();
  const [tab, setTab] = useState<Tab>('pending');
  const statements = feed.pending.filter((r) => r.kind !== 'ACCESS');
  const access = feed.pending.filter((r) => r.kind === 'ACCESS');
  return (
    <section aria-labelledby="reviews-title">
      <div className="page-head">
        <h1 id="reviews-title">Review inbox</h1>
        <span className="muted">{feed.error ? '' : feed.liveError ? 'Live updates interrupted — refreshing every 15 s' : 'Live: new requests appear here as they arrive'}</span>
      </div>
      <Tabs<Tab>
        label="Review inbox"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'pending', label: `Pending statements${statements.length ? ` (${statements.length})` : ''}` },
          { id: 'access', label: `Access requests${access.length ? ` (${access.length})` : ''}` },
          { id: 'history', label: 'History' },
        ]}
      />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'pending' && (
          <StateView what="The review inbox" fetching={feed.fetching} error={feed.error}>
            {statements.length === 0 ? (
              <p className="muted">No statement is waiting for a decision.</p>
            ) : (
              <ul className="card-list" aria-label="Pending review requests" style={{ listStyle: 'none', padding: 0 }}>
                {statements.map((r) => (
                  <li key={r.id}>
                    <ReviewCard review={r} onDecided={() => feed.drop(r.id)} />
                  </li>
                ))}
              </ul>
            )}
          </StateView>
        )}
        {tab === 'access' && (
          <StateView what="Just-in-time access requests" fetching={feed.fetching} error={feed.error}>
            <AccessRequests items={access} onDecided={feed.drop} />
          </StateView>
        )}
        {tab === 'history' && <History />}
      </div>
    </section>
  );
}

function classificationText(c: unknown): string {
  if (c == null) return '—';
  if (typeof c === 'string') {
    try {
      return classificationText(JSON.parse(c));
    } catch {
      return c;
    }
  }
  if (typeof c === 'object') {
    const o = c as Record<string, unknown>;
    // The worker's shape: { reason, statements: [{ kind, verdict, rule, reason }] }.
    if (Array.isArray(o['statements'])) {
      const parts = (o['statements'] as Array<Record<string, unknown>>).map((st) => [st['kind'], st['reason'] ? `— ${String(st['reason'])}` : undefined].filter(Boolean).join(' '));
      const text = parts.filter(Boolean).join('; ');
      if (text) return text;
      if (typeof o['reason'] === 'string') return o['reason'];
    }
    const parts = [o['kind'], Array.isArray(o['objects']) ? `on ${(o['objects'] as unknown[]).join(', ')}` : undefined, o['hasWhere'] === false ? 'no WHERE clause' : undefined];
    const text = parts.filter(Boolean).join(' ');
    return text || JSON.stringify(c);
  }
  return String(c);
}

function ReviewCard({ review: r, onDecided }: { review: ReviewRequest; onDecided(): void }) {
  const now = useNow(1000);
  const { me } = useSession();
  const [mode, setMode] = useState<'none' | 'shape' | 'reject'>('none');
  const [maxRuns, setMaxRuns] = useState('');
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const [result, decide] = useMutation(DECIDE_REVIEW);
  const left = Date.parse(r.expiresAt) - now;
  const urgent = left < 60_000;
  const own = r.requester === me.name;
  const headingId = `review-${r.id}`;

  const submit = async (decision: 'APPROVE' | 'REJECT', scope?: { fingerprint: true; maxRuns?: number; until?: string }) => {
    const res = await decide({ input: { id: r.id, decision, reason: reason || undefined, scope } });
    if (!res.error) onDecided();
  };

  return (
    <article className={`card review${urgent ? ' urgent' : ''}`} aria-labelledby={headingId} data-review-id={r.id}>
      <div className="row">
        <h2 id={headingId} style={{ margin: 0 }}>
          {r.requester} <span className="muted">on</span> {r.connection}
        </h2>
        <span className="pill pill-review">HELD</span>
        <span className="spacer" />
        <span className="muted">waiting {duration(now - Date.parse(r.createdAt))}</span>
        <span className={`countdown${urgent ? ' urgent' : ''}`} aria-label={`Times out in ${duration(left)}`}>
          ⏱ {left > 0 ? duration(left) : 'timed out'}
        </span>
      </div>
      <SqlCode sql={r.statement ?? ''} />
      <dl className="meta">
        <dt>Classification</dt>
        <dd>{classificationText(r.classification)}</dd>
        <dt>Held by rule</dt>
        <dd>{r.rule ?? '—'}</dd>
        <dt>Requester</dt>
        <dd>
          {r.requester}
        </dd>
        {r.sessionId && (
          <>
            <dt>Session</dt>
            <dd>
              <Link to={`/sessions/${encodeURIComponent(r.sessionId)}`}>{r.sessionId}</Link>
            </dd>
          </>
        )}
      </dl>
      {own && <p className="muted">You made this request: another approver has to decide it.</p>}
      <div className="row">
        <button type="button" className="btn btn-ok" disabled={own || result.fetching} onClick={() => void submit('APPROVE')}>
          Approve once
        </button>
        <button type="button" className="btn btn-quiet" disabled={own || !r.fingerprint} aria-expanded={mode === 'shape'} onClick={() => setMode(mode === 'shape' ? 'none' : 'shape')} title={r.fingerprint ? undefined : 'This statement has no shape fingerprint'}>
          Approve this statement shape…
        </button>
        <button type="button" className="btn btn-quiet" disabled={own} aria-expanded={mode === 'reject'} onClick={() => setMode(mode === 'reject' ? 'none' : 'reject')}>
          Reject…
        </button>
      </div>
      {mode === 'shape' && (
        <form
          className="form-grid"
          style={{ marginTop: '0.6rem' }}
          onSubmit={(e) => {
            e.preventDefault();
            void submit('APPROVE', { fingerprint: true, maxRuns: maxRuns ? Number(maxRuns) : undefined, until: until ? new Date(until).toISOString() : undefined });
          }}
        >
          <label className="field">
            Max runs
            <input type="number" min={1} value={maxRuns} onChange={(e) => setMaxRuns(e.target.value)} placeholder="unlimited" />
          </label>
          <label className="field">
            Until
            <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
          </label>
          <label className="field">
            Reason (optional)
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button className="btn btn-ok" disabled={result.fetching || (!maxRuns && !until)}>
            Approve shape
          </button>
        </form>
      )}
      {mode === 'reject' && (
        <form
          className="row"
          style={{ marginTop: '0.6rem' }}
          onSubmit={(e) => {
            e.preventDefault();
            void submit('REJECT');
          }}
        >
          <label className="field" style={{ flex: 1 }}>
            Reason shown to the requester
            <input required value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button className="btn btn-bad" disabled={result.fetching || !reason.trim()}>
            Reject
          </button>
        </form>
      )}
      <InlineError error={result.error} />
    </article>
  );
}

function AccessRequests({ items, onDecided }: { items: ReviewRequest[]; onDecided(id: string): void }) {
  const [result, decide] = useMutation(DECIDE_REVIEW);
  const { me } = useSession();
  if (!items.length) return <p className="muted">No access requests are waiting.</p>;
  const act = async (id: string, decision: 'APPROVE' | 'REJECT') => {
    const res = await decide({ input: { id, decision } });
    if (!res.error) onDecided(id);
  };
  return (
    <div className="stack">
      {items.map((a) => (
        <article key={a.id} className="card review" data-review-id={a.id}>
          <h2 style={{ margin: 0 }}>
            {a.requester} asks for {a.profile ?? 'access'} on {a.connection}
          </h2>
          <dl className="meta">
            <dt>For</dt>
            <dd>{a.durationSeconds ? duration(a.durationSeconds * 1000) : '—'}</dd>
            <dt>Reason</dt>
            <dd>{a.reason ?? '—'}</dd>
            <dt>Asked</dt>
            <dd>{ago(a.createdAt)}</dd>
          </dl>
          <div className="row">
            <button type="button" className="btn btn-ok" disabled={result.fetching || a.requester === me.name} onClick={() => void act(a.id, 'APPROVE')}>
              Grant
            </button>
            <button type="button" className="btn btn-bad" disabled={result.fetching || a.requester === me.name} onClick={() => void act(a.id, 'REJECT')}>
              Deny
            </button>
          </div>
        </article>
      ))}
      <InlineError error={result.error} />
    </div>
  );
}

function History() {
  const [status, setStatus] = useState('');
  const [{ data, fetching, error }] = useQuery<{ reviewRequests: ReviewRequest[] }>({ query: REVIEW_HISTORY, variables: { status: status || null }, requestPolicy: 'cache-and-network' });
  const rows = (data?.reviewRequests ?? []).filter((r) => r.status !== 'PENDING');
  return (
    <>
      <div className="row" style={{ marginBottom: '0.6rem' }}>
        <label className="field">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All decided</option>
            <option value="APPROVED">Approved</option>
            <option value="REJECTED">Rejected</option>
            <option value="EXPIRED">Expired</option>
            <option value="WITHDRAWN">Withdrawn</option>
          </select>
        </label>
      </div>
      <StateView what="Review history" fetching={fetching} error={error}>
        {rows.length === 0 ? (
          <p className="muted">No decided reviews.</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Asked</th>
                  <th scope="col">Requester</th>
                  <th scope="col">Connection</th>
                  <th scope="col">Request</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">By</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>{formatTime(r.createdAt)}</td>
                    <td>{r.requester}</td>
                    <td>{r.connection}</td>
                    <td>
                      {r.kind === 'ACCESS' ? `access: ${r.profile ?? 'default profile'}` : <SqlCode sql={r.statement ?? ''} inline />}
                    </td>
                    <td>
                      <span className={`pill pill-${r.status.toLowerCase()}`}>{r.status}</span>
                    </td>
                    <td>{r.decisions?.map((d) => d.approver).join(', ') || '—'}</td>
                    <td>{r.decisions?.map((d) => d.reason).filter(Boolean).join('; ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </StateView>
    </>
  );
}
