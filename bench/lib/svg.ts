/**
 * Grouped bar charts as plain SVG strings, no dependencies: a title, labeled axes
 * with ticks and grid lines (linear or log10), one bar per series in each group,
 * value labels on the bars, a legend, footnotes. Missing values draw no bar.
 */

export interface Series {
  name: string;
  /** One value per group; null draws nothing. */
  values: readonly (number | null)[];
}

interface BarChart {
  title: string;
  /** Group labels along the x axis. */
  groups: readonly string[];
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  /** log10 y axis (for figures that span orders of magnitude). */
  log?: boolean;
  /** Tick and bar labels (default: compact numbers). */
  format?: (v: number) => string;
  /** Lines under the legend (skipped contenders, machine, command). */
  footnotes?: readonly string[];
  /** Default 760. */
  width?: number;
  /** Default: a 300-pixel plot plus title, axes, legend and footnotes. */
  height?: number;
}

/** Colour-blind-safe (Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 12.3k, 1.2M, 0.85 */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** Linear ticks at 1, 2 or 5 × 10^k, from 0 to at least `max`. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(t);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks.length * step);
  return ticks;
}

export function barChart(c: BarChart): string {
  const fmt = c.format ?? compact;
  const values = c.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v) && (!c.log || v > 0));
  const W = c.width ?? 760;
  const m = { top: 48, right: 20, bottom: 0, left: 78 };
  const plotW = W - m.left - m.right;
  // Legend columns as wide as the longest name allows; footnotes under it.
  const longest = Math.max(1, ...c.series.map((x) => x.name.length));
  const legendCols = Math.max(1, Math.min(3, Math.floor(plotW / (longest * 7 + 30))));
  const legendRows = Math.ceil(c.series.length / legendCols);
  const foot = c.footnotes ?? [];
  m.bottom = 64 + legendRows * 18 + foot.length * 15;
  // Bars: each group gets an equal slot; bars fill 80% of it. Labels that do not fit across a bar stand upright.
  const slot = plotW / Math.max(1, c.groups.length);
  const barW = (slot * 0.8) / Math.max(1, c.series.length);
  const labelFont = barW >= 28 ? 10 : 9;
  const fits = (v: number) => fmt(v).length * labelFont * 0.6 <= barW;
  const upright = values.some((v) => !fits(v));
  if (upright) m.top += 6 + Math.max(...values.map((v) => fmt(v).length)) * labelFont * 0.6;
  const H = c.height ?? m.top + 300 + m.bottom;
  const plotH = H - m.top - m.bottom;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`,
  ];
  let ticks: number[];
  let y: (v: number) => number;
  if (values.length === 0) {
    ticks = [0, 1];
    y = (v) => m.top + plotH - v * plotH;
  } else if (c.log) {
    // A decade of room under the smallest bar when it sits near a power of ten (else it draws flat).
    const lo = Math.floor(Math.log10(Math.min(...values)) - 0.3);
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
    ticks = [];
    for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
    y = (v) => m.top + plotH - ((Math.log10(v) - lo) / (hi - lo)) * plotH;
  } else {
    ticks = linearTicks(Math.max(...values));
    const top = ticks[ticks.length - 1]!;
    y = (v) => m.top + plotH - (v / top) * plotH;
  }
  const base = c.log ? m.top + plotH : y(0);
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`,
      `<text x="${m.left - 6}" y="${ty}" dy="4" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  c.groups.forEach((g, gi) => {
    const x0 = m.left + gi * slot + slot * 0.1;
    c.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined || !Number.isFinite(v) || (c.log && v <= 0)) return;
      const x = x0 + si * barW;
      const top = Math.min(base, y(v));
      out.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${Math.abs(base - y(v)).toFixed(1)}" ` +
        `fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${s.name}, ${g}: ${fmt(v)}`)}</title></rect>`);
      const cx = (x + barW / 2).toFixed(1);
      if (!upright) {
        out.push(`<text x="${cx}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="${labelFont}">${esc(fmt(v))}</text>`);
      } else if (barW >= labelFont) {
        out.push(`<text transform="translate(${(x + barW / 2 + labelFont * 0.35).toFixed(1)} ${(top - 3).toFixed(1)}) rotate(-90)" font-size="${labelFont}">${esc(fmt(v))}</text>`);
      }
    });
    out.push(`<text x="${(m.left + gi * slot + slot / 2).toFixed(1)}" y="${m.top + plotH + 16}" text-anchor="middle">${esc(g)}</text>`);
  });
  // Axes and their labels.
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 36}" text-anchor="middle" font-weight="bold">${esc(c.xLabel)}</text>`,
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-weight="bold">${esc(c.yLabel)}${c.log ? ' (log scale)' : ''}</text>`);
  // Legend, then footnotes.
  const ly = m.top + plotH + 52;
  c.series.forEach((s, si) => {
    const lx = m.left + (si % legendCols) * (plotW / legendCols);
    const row = ly + Math.floor(si / legendCols) * 18;
    out.push(`<rect x="${lx}" y="${row - 10}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`,
      `<text x="${lx + 18}" y="${row}">${esc(s.name)}</text>`);
  });
  foot.forEach((f, i) => out.push(`<text x="${m.left}" y="${ly + legendRows * 18 + 4 + i * 15}" font-size="10" fill="#555">${esc(f)}</text>`));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
