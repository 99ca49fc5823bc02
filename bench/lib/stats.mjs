// Statistics and printing shared by the benches.

/** The median (upper median for an even count) of numbers, unsorted input. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The p-th percentile (nearest rank) of an ascending array. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** A ratio as a signed change: 1.07 → "+7%", 0.9 → "-10%". */
export const change = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;

export const pad = (s, n) => String(s).padEnd(n);

const ms = (v) => `${v.toFixed(1)} ms`;

/** "label   median … ms   p99 … ms   max … ms" over an ascending array of milliseconds. */
export const latencyLine = (label, sorted, width) =>
  `${label.padEnd(width)} median ${ms(percentile(sorted, 50)).padStart(9)}   p99 ${ms(percentile(sorted, 99)).padStart(9)}   max ${ms(sorted[sorted.length - 1]).padStart(9)}`;

/**
 * Interleaved repetitions: for each repetition, for each cell [key, arg], measure(name, arg) for
 * every target name (rotated by the repetition when rotate is set, so no target always runs
 * first). Returns results[key][name] = [measurement per repetition]; prints
 * "repetition r/n done" after each one unless progress is false.
 */
export async function interleave({ reps, cells, names, measure, rotate = false, progress = true }) {
  const results = {};
  for (let rep = 1; rep <= reps; rep++) {
    for (const [key, arg] of cells) {
      const order = rotate ? names.map((_, i) => names[(i + rep) % names.length]) : names;
      for (const t of order) {
        const r = await measure(t, arg);
        ((results[key] ??= {})[t] ??= []).push(r);
      }
    }
    if (progress) process.stdout.write(`repetition ${rep}/${reps} done\n`);
  }
  return results;
}
