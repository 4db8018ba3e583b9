/**
 * A small X-Y line plot as a standalone SVG file: opens in any browser or
 * image viewer, needs no plotting stack. Enough for an I-V loop with a
 * measured and a predicted trace, a spectrum with its dips marked, points
 * with error bars and a fitted line; the dashboard will bring a real chart
 * library.
 */

export interface Series {
  readonly name: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** CSS colour. */
  readonly color: string;
  /** Draw markers only (measurements) instead of a line (models). */
  readonly markers?: boolean;
  /** Marker radius, px (default 2: dense data such as an I-V loop). */
  readonly markerRadius?: number;
  /** Vertical error bars: ± this much (y units) at each point; NaN for none. */
  readonly yErrors?: Float64Array;
}

/** A marked point with a label: a small triangle pointing down at (x, y), the text above it. */
export interface Annotation {
  readonly x: number;
  readonly y: number;
  readonly label: string;
  /** CSS colour (default dark red). */
  readonly color?: string;
}

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly annotations?: readonly Annotation[];
}

const WIDTH = 720;
const HEIGHT = 480;
const MARGIN = { left: 90, right: 20, top: 40, bottom: 60 };

export function svgPlot(spec: PlotSpec): string {
  const annotations = spec.annotations ?? [];
  const [x0, x1] = niceRange([...spec.series.map((s) => s.x), Float64Array.from(annotations, (a) => a.x)]);
  const [y0, y1] = niceRange([
    ...spec.series.flatMap((s) => (s.yErrors ? [s.y, errorEnds(s, -1), errorEnds(s, 1)] : [s.y])),
    Float64Array.from(annotations, (a) => a.y),
  ]);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(spec.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444" data-x-range="${x0} ${x1}" data-y-range="${y0} ${y1}"/>`,
  ];
  const xTicks = ticks(x0, x1);
  const xLabels = tickLabels(xTicks);
  xTicks.forEach((t, k) => {
    parts.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`,
      `<text x="${px(t)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${xLabels[k]}</text>`,
    );
  });
  const yTicks = ticks(y0, y1);
  const yLabels = tickLabels(yTicks);
  yTicks.forEach((t, k) => {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end">${yLabels[k]}</text>`,
    );
  });
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(20 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, n) => {
    const points: string[] = [];
    for (let k = 0; k < s.x.length; k++) {
      const x = s.x[k] as number;
      const y = s.y[k] as number;
      if (Number.isFinite(x) && Number.isFinite(y)) points.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    if (s.yErrors) {
      for (let k = 0; k < s.x.length; k++) {
        const x = s.x[k] as number;
        const y = s.y[k] as number;
        const e = s.yErrors[k] as number;
        if (!(Number.isFinite(x) && Number.isFinite(y) && e > 0)) continue;
        const [left, top, bottom] = [(px(x) - 3).toFixed(1), py(y + e).toFixed(1), py(y - e).toFixed(1)];
        // A vertical bar with a 6 px cap at each end.
        parts.push(
          `<path d="M${px(x).toFixed(1)} ${top}V${bottom}M${left} ${top}h6M${left} ${bottom}h6" stroke="${s.color}" fill="none"/>`,
        );
      }
    }
    if (s.markers) {
      for (const p of points) {
        const [cx, cy] = p.split(",");
        parts.push(
          `<circle cx="${cx}" cy="${cy}" r="${s.markerRadius ?? 2}" fill="${s.color}" fill-opacity="0.6"/>`,
        );
      }
    } else {
      parts.push(
        `<polyline points="${points.join(" ")}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`,
      );
    }
    const ly = MARGIN.top + 16 + 18 * n;
    parts.push(
      `<rect x="${MARGIN.left + 12}" y="${ly - 9}" width="14" height="10" fill="${s.color}"/>`,
      `<text x="${MARGIN.left + 32}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  // Each label goes on the lowest free row above its marker (rows 13 px apart), to its right, or
  // to its left in the plot's right third; widths are estimated at 6 px a character.
  const taken: Array<{ left: number; right: number; y: number }> = [];
  for (const a of annotations) {
    const color = a.color ?? "#b00";
    const [x, y] = [px(a.x), py(a.y)];
    const toRight = x < MARGIN.left + (2 * plotW) / 3;
    const width = 6 * a.label.length;
    const left = toRight ? x + 6 : x - 6 - width;
    let ly = y - 14;
    while (
      ly > MARGIN.top + 12 &&
      taken.some((t) => Math.abs(t.y - ly) < 13 && t.left < left + width && left < t.right)
    ) {
      ly -= 13;
    }
    ly = Math.max(ly, MARGIN.top + 12);
    taken.push({ left, right: left + width, y: ly });
    parts.push(
      `<path d="M${x.toFixed(1)} ${(y - 2).toFixed(1)}l-4 -8h8z" fill="${color}"/>`,
      `<text x="${(toRight ? x + 6 : x - 6).toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="${toRight ? "start" : "end"}" font-size="11" fill="${color}">${escapeXml(a.label)}</text>`,
    );
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function errorEnds(s: Series, sign: number): Float64Array {
  return s.y.map((y, k) => {
    const e = s.yErrors?.[k] as number;
    return e > 0 ? y + sign * e : Number.NaN;
  });
}

/** Finite data range widened by 5 % each side (a flat or empty range gets a unit width). */
function niceRange(columns: readonly Float64Array[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const column of columns) {
    for (const value of column) {
      if (!Number.isFinite(value)) continue;
      if (value < lo) lo = value;
      if (value > hi) hi = value;
    }
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Tick positions at 1, 2 or 5 × 10^k, about six across the range. */
export function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 6;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

function format(value: number): string {
  return Number.parseFloat(value.toPrecision(3)).toString();
}

/**
 * Tick labels to three significant digits; where that makes two alike (a
 * narrow range far from zero: 1550.1, 1550.2 nm), with as many decimals as
 * the step needs.
 */
function tickLabels(values: readonly number[]): string[] {
  const labels = values.map(format);
  if (new Set(labels).size === labels.length || values.length < 2) return labels;
  const step = (values[1] as number) - (values[0] as number);
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  return values.map((v) => v.toFixed(decimals));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
