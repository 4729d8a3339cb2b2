/**
 * Line charts as inline SVG strings, so a report is one file that needs no network and no chart library.
 * Pure: data in, markup out.
 */

export interface ChartSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color: string;
  /** Draw on the right-hand axis. */
  right?: boolean;
  dashed?: boolean;
  /** Hold each value until the next point (replica counts). */
  step?: boolean;
  /** Show a dot at every point (measured steps). */
  dots?: boolean;
}

export interface ChartLine {
  value: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  y2Label?: string;
  series: ChartSeries[];
  /** Horizontal lines on the left axis (an SLO). */
  hLines?: ChartLine[];
  /** Vertical lines (a knee, the capacity). */
  vLines?: ChartLine[];
  width?: number;
  height?: number;
  /** Upper bound of the left axis; points above it are clipped to the edge (a runaway step). */
  yMax?: number;
}

const PAD = { left: 64, right: 64, top: 34, bottom: 58 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round tick steps (1, 2, 5 × 10^k) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // From the last tick at or below min to the first at or above max, so every point is inside.
  let first = Math.floor(min / step);
  if ((first + 1) * step <= min) first++;
  let last = Math.ceil(max / step);
  if ((last - 1) * step >= max) last--;
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(a < 10 ? 2 : 1));
}

export function renderLineChart(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 320;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const all = spec.series.flatMap((s) => s.points);
  const left = spec.series.filter((s) => !s.right).flatMap((s) => s.points);
  const right = spec.series.filter((s) => s.right).flatMap((s) => s.points);
  const xs = [...all.map((p) => p[0]), ...(spec.vLines ?? []).map((l) => l.value)];
  const xTicks = niceTicks(Math.min(0, ...xs), Math.max(1, ...xs));
  const yLeftMax = spec.yMax ?? Math.max(1, ...left.map((p) => p[1]), ...(spec.hLines ?? []).map((l) => l.value * 1.15));
  const yTicks = niceTicks(0, yLeftMax);
  const y2Ticks = right.length ? niceTicks(0, Math.max(1, ...right.map((p) => p[1]))) : [];
  const [x0, x1] = [xTicks[0]!, xTicks.at(-1)!];
  const y1 = yTicks.at(-1)!;
  const y21 = y2Ticks.at(-1) ?? 1;
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number, onRight = false) => PAD.top + plotH - (Math.min(y, onRight ? y21 : y1) / ((onRight ? y21 : y1) || 1)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(spec.title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<text x="${PAD.left}" y="20" font-size="14" font-weight="600" fill="#222">${escapeXml(spec.title)}</text>`,
  );
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${fmtTick(t)}</text>`);
  }
  for (const t of y2Ticks) {
    parts.push(`<text x="${PAD.left + plotW + 6}" y="${sy(t, true).toFixed(1)}" dominant-baseline="middle" fill="#555">${fmtTick(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 4}" stroke="#888"/>`);
    parts.push(`<text x="${x}" y="${PAD.top + plotH + 16}" text-anchor="middle" fill="#555">${fmtTick(t)}</text>`);
  }
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 26}" text-anchor="middle" fill="#333">${escapeXml(spec.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(spec.yLabel)}</text>`,
  );
  if (spec.y2Label && right.length) {
    parts.push(
      `<text transform="translate(${width - 12} ${PAD.top + plotH / 2}) rotate(90)" text-anchor="middle" fill="#333">${escapeXml(spec.y2Label)}</text>`,
    );
  }
  for (const l of spec.hLines ?? []) {
    const y = sy(l.value).toFixed(1);
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="${l.color}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    parts.push(`<text x="${PAD.left + plotW - 4}" y="${Number(y) - 5}" text-anchor="end" fill="${l.color}">${escapeXml(l.label)}</text>`);
  }
  (spec.vLines ?? []).forEach((l, i) => {
    const x = sx(l.value).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${l.color}" stroke-dasharray="3 3" stroke-width="1.5"/>`);
    // Labels step down so that lines at the same place (knee = capacity) stay readable.
    parts.push(`<text x="${Number(x) + 4}" y="${PAD.top + 12 + 14 * i}" fill="${l.color}">${escapeXml(l.label)}</text>`);
  });
  for (const s of spec.series) {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    if (pts.length === 0) continue;
    const coords: string[] = [];
    pts.forEach(([x, y], i) => {
      if (s.step && i > 0) coords.push(`${sx(x).toFixed(1)},${sy(pts[i - 1]![1], s.right).toFixed(1)}`);
      coords.push(`${sx(x).toFixed(1)},${sy(y, s.right).toFixed(1)}`);
    });
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5 3" ' : ''}points="${coords.join(' ')}"/>`,
    );
    if (s.dots) for (const [x, y] of pts) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y, s.right).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  // Legend below the x label.
  let lx = PAD.left;
  for (const s of spec.series) {
    parts.push(`<rect x="${lx}" y="${height - 14}" width="12" height="4" fill="${s.color}"/>`);
    const label = `${s.name}${s.right ? ' (right axis)' : ''}`;
    parts.push(`<text x="${lx + 16}" y="${height - 9}" fill="#333">${escapeXml(label)}</text>`);
    lx += 28 + label.length * 6.5;
  }
  parts.push('</svg>');
  return parts.join('\n');
}
