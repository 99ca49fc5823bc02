import { gql } from '@urql/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { useSession } from '../auth/session';
import { SqlCode } from '../components/SqlCode';
import { InlineError, StateView } from '../components/StateView';
import { Tabs } from '../components/Tabs';
import { type CombinedError } from '@urql/core';

const CONNECTIONS = gql`query RuleConnections { connections { id name guardrails masking } }`;
const GUARDRAIL_RULES = gql`query GuardrailRules($connection: String) { guardrailRules(connection: $connection) { id connection name action match { kinds objects functions findings identities groups missingWhere writes whereConstantOnly } message priority enabled } }`;
const MASKING_RULES = gql`query MaskingRules($connection: String) { maskingRules(connection: $connection) { id connection name entity match { column columnName } style enabled } }`;
const SAVE_GUARDRAIL = gql`mutation CreateGuardrailRule($input: CreateGuardrailRuleInput!) { createGuardrailRule(input: $input) { id } }`;
const DELETE_GUARDRAIL = gql`mutation DeleteGuardrailRule($id: String!) { deleteGuardrailRule(input: { id: $id }) { id } }`;
const SAVE_MASKING = gql`mutation CreateMaskingRule($input: CreateMaskingRuleInput!) { createMaskingRule(input: $input) { id } }`;
const DELETE_MASKING = gql`mutation DeleteMaskingRule($id: String!) { deleteMaskingRule(input: { id: $id }) { id } }`;
const EVALUATE = gql`query EvaluateGuardrails($connection: String!, $sql: String!) { evaluateGuardrails(connection: $connection, sql: $sql) { verdict reason preset rule { id name message } } }`;
const PREVIEW = gql`query PreviewMasking($connection: String!, $text: String!) { previewMasking(connection: $connection, text: $text) { text masking spans { entity start end } } }`;
const DRY_RUN = gql`query DryRunGuardrails($connection: String!, $last: Int!, $rule: CreateGuardrailRuleInput) { dryRunGuardrails(connection: $connection, last: $last, rule: $rule) { preset total changed items { sql before after rule } } }`;

type Tab = 'guardrails' | 'masking';

export default function Rules() {
  const [tab, setTab] = useState<Tab>('guardrails');
  const [{ data, error }] = useQuery<{ connections: Array<{ id: string; name: string; guardrails: string; masking: boolean }> }>({ query: CONNECTIONS });
  const [connection, setConnection] = useState('');
  useEffect(() => {
    if (!connection && data?.connections[0]) setConnection(data.connections[0].name);
  }, [data, connection]);
  return (
    <section aria-labelledby="rules-title">
      <div className="page-head">
        <h1 id="rules-title">Rules</h1>
        <label className="field">
          Connection
          <select value={connection} onChange={(e) => setConnection(e.target.value)}>
            {!data?.connections.length && <option value="">(no connections)</option>}
            {data?.connections.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name} — {c.guardrails}
                {c.masking ? ', masking' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <InlineError error={error} />
      <Tabs<Tab> label="Rule kind" value={tab} onChange={setTab} tabs={[{ id: 'guardrails', label: 'Guardrails' }, { id: 'masking', label: 'Masking' }]} />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'guardrails' ? <Guardrails connection={connection} /> : <Masking connection={connection} />}
      </div>
    </section>
  );
}

/** Re-runs a preview query as the input changes, debounced. */
function useLivePreview<T>(query: typeof EVALUATE, variables: Record<string, string>, ready: boolean) {
  const client = useClient();
  const [state, setState] = useState<{ data?: T; error?: CombinedError; fetching: boolean }>({ fetching: false });
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (!ready) return;
    let live = true;
    const t = setTimeout(() => {
      setState((s) => ({ ...s, fetching: true }));
      void client
        .query<T>(query, variables, { requestPolicy: 'network-only' })
        .toPromise()
        .then((r) => live && setState({ data: r.data, error: r.error, fetching: false }));
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // `key` stands for `variables`: a new object each render must not re-run the preview.
  }, [key, ready, client, query]);
  return state;
}

function Guardrails({ connection }: { connection: string }) {
  const { hasRole } = useSession();
  const admin = hasRole('ADMIN');
  const [rules, refetch] = useQuery<{ guardrailRules: Array<{ id: string; connection: string | null; name: string; action: string; match: Record<string, unknown>; message: string; priority: number; enabled: boolean }> }>({ query: GUARDRAIL_RULES, variables: { connection: connection || null }, requestPolicy: 'cache-and-network' });
  const [sql, setSql] = useState('UPDATE users SET email = NULL');
  const preview = useLivePreview<{ evaluateGuardrails: { verdict: string; reason: string; preset: string; rule: { id: string; name: string; message: string } | null } }>(EVALUATE, { connection, sql }, !!connection && !!sql.trim());
  const [last, setLast] = useState('100');
  const [runDry, setRunDry] = useState(false);
  const [saved, save] = useMutation(SAVE_GUARDRAIL);
  const [deleted, del] = useMutation(DELETE_GUARDRAIL);
  const [f, setF] = useState({ name: '', action: 'REVIEW', match: '', message: '', priority: '100' });
  // The rule being written, before it is saved: the dry run shows what it would have done.
  const kindsOf = (match: string) => match.split(',').map((k) => k.trim().toUpperCase()).filter(Boolean);
  const draft = f.name && kindsOf(f.match).length ? { connection, name: f.name, action: f.action, match: { kinds: kindsOf(f.match) }, message: f.message || f.name, priority: Number(f.priority) } : null;
  const [dry] = useQuery<{ dryRunGuardrails: { preset: string; total: number; changed: number; items: Array<{ sql: string; before: string; after: string; rule: string | null }> } }>({
    query: DRY_RUN,
    variables: { connection, last: Number(last), rule: draft },
    pause: !runDry || !connection,
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const kinds = kindsOf(f.match);
    const r = await save({ input: { connection, name: f.name, action: f.action, match: { kinds }, message: f.message || f.name, priority: Number(f.priority), enabled: true } });
    if (!r.error) refetch({ requestPolicy: 'network-only' });
  };
  const v = preview.data?.evaluateGuardrails;
  return (
    <div className="card-grid">
      <div className="card">
        <h2 style={{ marginTop: 0 }}>Rules on {connection || '…'}</h2>
        <StateView what="Guardrail rules" fetching={rules.fetching} error={rules.error}>
          {rules.data && rules.data.guardrailRules.length === 0 && <p className="muted">Only the preset applies.</p>}
          {rules.data && rules.data.guardrailRules.length > 0 && (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Match</th>
                  <th scope="col">Action</th>
                  {admin && <th scope="col"><span className="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {rules.data.guardrailRules.map((r) => (
                  <tr key={r.id}>
                    <td>{r.name}</td>
                    <td className="mono">{matchText(r.match)}{r.connection ? '' : ' (global)'}</td>
                    <td>
                      <span className={`pill pill-${r.action.toLowerCase()}`}>{r.action}</span>
                    </td>
                    {admin && (
                      <td>
                        <button type="button" className="btn btn-quiet" onClick={() => void del({ id: r.id }).then(() => refetch({ requestPolicy: 'network-only' }))}>
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {admin && (
            <form className="form-grid" onSubmit={submit} aria-label="New guardrail rule" style={{ marginTop: '0.75rem' }}>
              <label className="field">
                Name
                <input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
              </label>
              <label className="field">
                Statement kinds (comma-separated)
                <input required value={f.match} onChange={(e) => setF({ ...f, match: e.target.value })} placeholder="DELETE, TRUNCATE" />
              </label>
              <label className="field">
                Action
                <select value={f.action} onChange={(e) => setF({ ...f, action: e.target.value })}>
                  <option>ALLOW</option>
                  <option>REVIEW</option>
                  <option>BLOCK</option>
                </select>
              </label>
              <label className="field">
                Message
                <input value={f.message} onChange={(e) => setF({ ...f, message: e.target.value })} />
              </label>
              <button className="btn">Add rule</button>
            </form>
          )}
          <InlineError error={saved.error ?? deleted.error} />
        </StateView>
      </div>
      <div className="card">
        <h2 style={{ marginTop: 0 }}>Live preview</h2>
        <label className="field">
          SQL to evaluate
          <textarea value={sql} onChange={(e) => setSql(e.target.value)} spellCheck={false} />
        </label>
        <SqlCode sql={sql} />
        <div aria-live="polite">
          {preview.error ? (
            <StateView what="Guardrail preview" error={preview.error} />
          ) : v ? (
            <p>
              <span className={`pill pill-${v.verdict.toLowerCase()}`}>{v.verdict}</span> {v.reason} {v.rule && <span className="muted">(rule {v.rule.name}, preset {v.preset})</span>}
            </p>
          ) : (
            <p className="muted">{!connection ? 'Pick a connection to preview its rules.' : preview.fetching ? 'Evaluating…' : 'Type a statement.'}</p>
          )}
        </div>
        <h3>Dry run against recorded statements</h3>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            setRunDry(true);
          }}
        >
          <label className="field">
            Last N statements
            <input type="number" min={1} max={10000} value={last} onChange={(e) => (setLast(e.target.value), setRunDry(false))} />
          </label>
          <button className="btn btn-quiet">Run dry run</button>
        </form>
        {runDry && (
          <StateView what="Dry run" fetching={dry.fetching} error={dry.error}>
            {dry.data && (
              <>
                <p>
                  {dry.data.dryRunGuardrails.changed} of {dry.data.dryRunGuardrails.total} statements would get a different verdict
                  {draft ? ` with the unsaved rule “${draft.name}”` : ' with the saved rules'}.
                  {draft && dry.data.dryRunGuardrails.preset !== 'CUSTOM' && ' (This connection is not CUSTOM: its own rules do not run.)'}
                </p>
                <ul>
                  {dry.data.dryRunGuardrails.items.slice(0, 20).map((it, i) => (
                    <li key={i}>
                      <SqlCode sql={it.sql} inline /> {it.before} → <strong>{it.after}</strong> {it.rule && <span className="muted">({it.rule})</span>}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </StateView>
        )}
      </div>
    </div>
  );
}

function Masking({ connection }: { connection: string }) {
  const { hasRole } = useSession();
  const admin = hasRole('ADMIN');
  const [rules, refetch] = useQuery<{ maskingRules: Array<{ id: string; name: string; entity: string; match: { column: string | null; columnName: string | null }; style: string; enabled: boolean }> }>({ query: MASKING_RULES, variables: { connection: connection || null }, requestPolicy: 'cache-and-network' });
  const [text, setText] = useState('Contact jane.doe@example.com, card 4111 1111 1111 1111, IBAN DE89370400440532013000');
  const preview = useLivePreview<{ previewMasking: { text: string; masking: boolean; spans: Array<{ entity: string; start: number; end: number }> } }>(PREVIEW, { connection, text }, !!connection && !!text);
  const [saved, save] = useMutation(SAVE_MASKING);
  const [deleted, del] = useMutation(DELETE_MASKING);
  const [f, setF] = useState({ name: '', column: '', entity: '', style: 'REDACT' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save({ input: { connection, name: f.name, match: { column: f.column || undefined, columnName: f.column ? undefined : f.entity || undefined }, style: f.style, enabled: true } });
    if (!r.error) refetch({ requestPolicy: 'network-only' });
  };
  const p = preview.data?.previewMasking;
  return (
    <div className="card-grid">
      <div className="card">
        <h2 style={{ marginTop: 0 }}>Masking rules on {connection || '…'}</h2>
        <StateView what="Masking rules" fetching={rules.fetching} error={rules.error}>
          {rules.data && rules.data.maskingRules.length === 0 && <p className="muted">Only the built-in detectors apply.</p>}
          {rules.data && rules.data.maskingRules.length > 0 && (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Column / entity</th>
                  <th scope="col">Style</th>
                  {admin && <th scope="col"><span className="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {rules.data.maskingRules.map((r) => (
                  <tr key={r.id}>
                    <td>{r.name}</td>
                    <td className="mono">{r.match.column ?? r.match.columnName} → {r.entity}</td>
                    <td>{r.style}</td>
                    {admin && (
                      <td>
                        <button type="button" className="btn btn-quiet" onClick={() => void del({ id: r.id }).then(() => refetch({ requestPolicy: 'network-only' }))}>
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {admin && (
            <form className="form-grid" onSubmit={submit} aria-label="New masking rule" style={{ marginTop: '0.75rem' }}>
              <label className="field">
                Name
                <input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
              </label>
              <label className="field">
                Column (schema.table.column)
                <input value={f.column} onChange={(e) => setF({ ...f, column: e.target.value })} />
              </label>
              <label className="field">
                Column name (glob or /regex/)
                <input value={f.entity} onChange={(e) => setF({ ...f, entity: e.target.value })} placeholder="*email*" />
              </label>
              <label className="field">
                Style
                <select value={f.style} onChange={(e) => setF({ ...f, style: e.target.value })}>
                  <option value="REDACT">Redact</option>
                  <option value="PARTIAL">Partial (last 4)</option>
                  <option value="HASH">Deterministic token</option>
                  <option value="NULL">NULL</option>
                </select>
              </label>
              <button className="btn">Add rule</button>
            </form>
          )}
          <InlineError error={saved.error ?? deleted.error} />
        </StateView>
      </div>
      <div className="card">
        <h2 style={{ marginTop: 0 }}>Live preview</h2>
        <label className="field">
          Sample text or JSON
          <textarea value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </label>
        <div aria-live="polite">
          {preview.error ? (
            <StateView what="Masking preview" error={preview.error} />
          ) : p ? (
            <>
              <pre className="sql">{p.text}</pre>
              <p className="muted">{!p.masking ? 'Masking is off for this connection.' : p.spans.length ? countSpans(p.spans) : 'Nothing to mask.'}</p>
            </>
          ) : (
            <p className="muted">{!connection ? 'Pick a connection to preview its masking.' : preview.fetching ? 'Masking…' : 'Type some text.'}</p>
          )}
        </div>
      </div>
    </div>
  );
}

function matchText(m: Record<string, unknown>): string {
  return (
    Object.entries(m)
      .filter(([, v]) => v != null && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => (Array.isArray(v) ? `${k}: ${v.join(', ')}` : `${k}: ${String(v)}`))
      .join('; ') || 'everything'
  );
}

function countSpans(spans: Array<{ entity: string }>): string {
  const m = new Map<string, number>();
  for (const s of spans) m.set(s.entity, (m.get(s.entity) ?? 0) + 1);
  return [...m].map(([e, n]) => `${e} ×${n}`).join(', ');
}
