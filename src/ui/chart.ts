/**
 * Text charts for the dashboard: sparklines, a progress bar, and a small line chart with a horizontal
 * reference line (the SLO). Pure string/grid functions, so the Ink components stay thin and the plain
 * reporter and tests can use them too. One column is one second, newest on the right.
 */

const SPARK = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** The last `width` values, right-aligned; missing values are blank. `max` fixes the scale (shared axes). */
export function sparkline(values: ReadonlyArray<number | undefined>, width: number, max?: number): string {
  const shown = lastN(values, width);
  const top = max ?? Math.max(0, ...shown.filter(isNum));
  const out = shown.map((v) => {
    if (!isNum(v)) return ' ';
    if (top <= 0) return SPARK[0];
    const level = Math.round((Math.min(v, top) / top) * (SPARK.length - 1));
    return SPARK[Math.max(0, level)];
  });
  return ' '.repeat(Math.max(0, width - out.length)) + out.join('');
}

/** "████████░░░░" for a fraction in [0, 1]. */
export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}

export interface ChartSeries {
  values: ReadonlyArray<number | undefined>;
  /** The character that marks this series; distinct per series so the chart reads without colour. */
  mark: string;
}

export interface ChartCell {
  ch: string;
  /** Index of the series that drew this cell, 'ref' for the reference line, undefined for blank. */
  by: number | 'ref' | undefined;
}

export interface LineChart {
  rows: ChartCell[][];
  /** The value at the top row and at the bottom row. */
  top: number;
  bottom: number;
  /** The reference value is above the chart (far above the data) and not drawn. */
  refAbove: boolean;
}

const REF_ABOVE_FACTOR = 3;

/**
 * A `height`×`width` grid. Later series draw over earlier ones (put the one that matters most last); the
 * reference line is drawn first, so data hides it where they meet.
 */
export function lineChart(series: readonly ChartSeries[], opts: { width: number; height: number; ref?: number }): LineChart {
  const { width, height } = opts;
  const shown = series.map((s) => lastN(s.values, width));
  let dataTop = 0;
  for (const s of shown) for (const v of s) if (isNum(v)) dataTop = Math.max(dataTop, v);
  // A reference far above the data would squash the data onto the bottom row: leave it off the scale
  // then (refAbove), so the data keep their shape.
  const refAbove = opts.ref !== undefined && opts.ref > 0 && dataTop > 0 && opts.ref > dataTop * REF_ABOVE_FACTOR;
  const top = niceCeil(opts.ref !== undefined && opts.ref > 0 && !refAbove ? Math.max(dataTop, opts.ref * 1.1) : dataTop);
  const rows: ChartCell[][] = Array.from({ length: height }, () => Array.from({ length: width }, () => ({ ch: ' ', by: undefined })));
  const rowOf = (v: number) => (top <= 0 ? height - 1 : height - 1 - Math.round((Math.min(v, top) / top) * (height - 1)));
  if (opts.ref !== undefined && opts.ref > 0 && !refAbove) {
    const r = rowOf(opts.ref);
    for (const cell of rows[r]!) {
      cell.ch = '─';
      cell.by = 'ref';
    }
  }
  shown.forEach((values, si) => {
    const offset = width - values.length;
    values.forEach((v, i) => {
      if (!isNum(v)) return;
      const cell = rows[rowOf(v)]![offset + i]!;
      cell.ch = series[si]!.mark;
      cell.by = si;
    });
  });
  return { rows, top, bottom: 0, refAbove };
}

/** Groups a row into runs drawn by the same series, so a renderer colours runs, not single cells. */
export function runs(row: readonly ChartCell[]): Array<{ text: string; by: ChartCell['by'] }> {
  const out: Array<{ text: string; by: ChartCell['by'] }> = [];
  for (const cell of row) {
    const last = out[out.length - 1];
    if (last && last.by === cell.by) last.text += cell.ch;
    else out.push({ text: cell.ch, by: cell.by });
  }
  return out;
}

/** The next round number at or above v (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n), for the axis label. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

function lastN<T>(values: readonly T[], n: number): T[] {
  return n <= 0 ? [] : values.slice(Math.max(0, values.length - n));
}

function isNum(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}
