/**
 * A small X-Y line plot as a standalone SVG file: opens in any browser or
 * image viewer, needs no plotting stack. Enough for an I-V loop with a
 * measured and a predicted trace; the dashboard will bring a real chart
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
}

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const WIDTH = 720;
const HEIGHT = 480;
const MARGIN = { left: 90, right: 20, top: 40, bottom: 60 };

export function svgPlot(spec: PlotSpec): string {
  const xs = spec.series.flatMap((s) => Array.from(s.x).filter(Number.isFinite));
  const ys = spec.series.flatMap((s) => Array.from(s.y).filter(Number.isFinite));
  const [x0, x1] = niceRange(xs);
  const [y0, y1] = niceRange(ys);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(spec.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
  ];
  for (const t of ticks(x0, x1)) {
    parts.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`,
      `<text x="${px(t)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${format(t)}</text>`,
    );
  }
  for (const t of ticks(y0, y1)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end">${format(t)}</text>`,
    );
  }
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
    if (s.markers) {
      for (const p of points) {
        const [cx, cy] = p.split(",");
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${s.color}" fill-opacity="0.6"/>`);
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
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** Data range widened by 5 % each side (a flat or empty range gets a unit width). */
function niceRange(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
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

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
