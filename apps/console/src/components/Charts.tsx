/** Small dependency-free SVG charts. Every chart has a text alternative. */
export interface Series {
  label: string;
  className: string;
  values: number[];
}

export function StackedBars({ labels, series, title, height = 160 }: { labels: string[]; series: Series[]; title: string; height?: number }) {
  const width = 600;
  const pad = { l: 36, r: 8, t: 8, b: 22 };
  const totals = labels.map((_, i) => series.reduce((s, se) => s + (se.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const bw = (width - pad.l - pad.r) / Math.max(1, labels.length);
  const y = (v: number) => pad.t + (height - pad.t - pad.b) * (1 - v / max);
  const summary = `${title}: ${series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ')}`;
  const step = Math.max(1, Math.ceil(labels.length / 8));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={pad.l} x2={width - pad.r} y1={y(0)} y2={y(0)} className="axis" />
        <text x={pad.l - 4} y={y(max) + 4} className="tick" textAnchor="end">
          {max}
        </text>
        <text x={pad.l - 4} y={y(0)} className="tick" textAnchor="end">
          0
        </text>
        {labels.map((label, i) => {
          let acc = 0;
          return (
            <g key={label}>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                const top = y(acc + v);
                const h = y(acc) - top;
                acc += v;
                return v ? (
                  <rect key={s.label} x={pad.l + i * bw + 1} width={Math.max(1, bw - 2)} y={top} height={h} className={s.className}>
                    <title>{`${label}: ${s.label} ${v}`}</title>
                  </rect>
                ) : null;
              })}
              {i % step === 0 && (
                <text x={pad.l + i * bw + bw / 2} y={height - 6} className="tick" textAnchor="middle">
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function Legend({ series }: { series: Array<Pick<Series, 'label' | 'className'>> }) {
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.label}>
          <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.label}
        </li>
      ))}
    </ul>
  );
}

export function HBars({ items, title }: { items: Array<{ label: string; value: number; className?: string }>; title: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 600 ${Math.max(24, items.length * 24)}`} role="img" aria-label={`${title}: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}`}>
        {items.map((it, i) => (
          <g key={it.label} transform={`translate(0 ${i * 24})`}>
            <text x={0} y={15} className="tick">
              {it.label.length > 28 ? `${it.label.slice(0, 27)}…` : it.label}
            </text>
            <rect x={200} y={4} height={14} width={(360 * it.value) / max} className={it.className ?? 'fill-accent'} />
            <text x={206 + (360 * it.value) / max} y={15} className="tick">
              {it.value}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
