import { memo } from 'react';

const KEYWORDS = new Set(
  (
    'select from where and or not insert into values update set delete create alter drop table index view truncate grant revoke ' +
    'join left right inner outer full cross on as group by order having limit offset union all distinct case when then else end ' +
    'is null like ilike in exists between returning with recursive begin commit rollback savepoint copy to do execute explain analyze ' +
    'vacuum asc desc primary key foreign references default cascade if only using lateral schema function procedure trigger'
  ).split(' '),
);

type Token = { t: 'kw' | 'str' | 'num' | 'com' | 'id' | 'op' | 'ws' | 'param'; v: string };

const RULES: Array<[Token['t'], RegExp]> = [
  ['ws', /^\s+/],
  ['com', /^(--[^\n]*|\/\*[\s\S]*?(\*\/|$))/],
  ['str', /^('(?:[^']|'')*'?|\$([a-z_]*)\$[\s\S]*?(\$\2\$|$))/i],
  ['id', /^"(?:[^"]|"")*"?/],
  ['param', /^\$\d+/],
  ['num', /^\d+(\.\d+)?(e[+-]?\d+)?/i],
  ['id', /^[a-z_][a-z0-9_$]*/i],
  ['op', /^(::|<>|!=|<=|>=|\|\||[-+*/%<>=(),;.[\]])/],
];

/** Splits SQL into tokens for display; never used to decide anything. */
export function tokenizeSql(sql: string): Token[] {
  const out: Token[] = [];
  let rest = sql;
  while (rest) {
    let matched = false;
    for (const [t, re] of RULES) {
      const m = re.exec(rest);
      if (m && m[0]) {
        const v = m[0];
        out.push({ t: t === 'id' && KEYWORDS.has(v.toLowerCase()) ? 'kw' : t, v });
        rest = rest.slice(v.length);
        matched = true;
        break;
      }
    }
    if (!matched) {
      out.push({ t: 'op', v: rest[0] });
      rest = rest.slice(1);
    }
  }
  return out;
}

export const SqlCode = memo(function SqlCode({ sql, inline = false }: { sql: string; inline?: boolean }) {
  const tokens = tokenizeSql(sql);
  const body = tokens.map((tok, i) => (tok.t === 'ws' || tok.t === 'op' ? tok.v : <span key={i} className={`sql-${tok.t}`}>{tok.v}</span>));
  return inline ? <code className="sql">{body}</code> : <pre className="sql" tabIndex={0} aria-label="SQL statement"><code>{body}</code></pre>;
});
