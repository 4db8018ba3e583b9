/**
 * The optical plans' pictures, as standalone SVG (svg-plot.ts): a spectrum
 * with its resonance dips marked, the heater tuning line, the readout
 * after each programming pulse. Inputs are in SI, as the plans return
 * them; the axes are in the units people read (nm, mW, dB, pm/mW).
 */
import type { Dip, LinearFit, Spectrum } from "./spectrum-analysis.js";
import { type Annotation, type Series, svgPlot } from "./svg-plot.js";

export interface PlotOptions {
  readonly title?: string;
}

/** A heater step as the tuning plan records it. */
export interface TuningPlotPoint {
  /** Heater power, W. */
  readonly heaterPower: number;
  /** Resonance wavelength, m (NaN where none was found: left out). */
  readonly resonance: number;
  /** Its standard error, m, drawn as an error bar when given. */
  readonly resonanceError?: number;
}

/** The readouts of a programming run, columns as the pulse plan emits them. */
export interface PulsePlotPoints {
  /** Pulse number (0: before the first pulse). */
  readonly pulse: ArrayLike<number>;
  /** Transmission, linear power ratio. */
  readonly transmission: ArrayLike<number>;
}

/**
 * Samples drawn per spectrum at most: a 100 nm sweep at 1 pm has 100 001,
 * far more than the plot's 610 px show. Each bucket keeps its lowest and
 * highest sample, in order, so no dip or spike is lost.
 */
const MAX_DRAWN = 2400;

/** Transmission (dB) against wavelength (nm), each dip marked and labelled with {@link dipLabel}. */
export function spectrumPlot(spectrum: Spectrum, dips: readonly Dip[], options: PlotOptions = {}): string {
  const [x, y] = minMaxDecimate(spectrum.wavelength, spectrum.transmission, MAX_DRAWN / 2);
  const annotations: Annotation[] = dips.map((dip) => ({
    x: dip.wavelength * 1e9,
    y: decibels(dip.minTransmission),
    label: dipLabel(dip),
  }));
  return svgPlot({
    title: options.title ?? "Transmission spectrum",
    xLabel: "wavelength (nm)",
    yLabel: "transmission (dB)",
    series: [{ name: "measured", x: x.map((λ) => λ * 1e9), y: y.map(decibels), color: "#1f4e9c" }],
    annotations,
  });
}

/** "1550.123 nm, 12.3 dB, FWHM 85 pm" (or why the width is missing). */
export function dipLabel(dip: Dip): string {
  const width =
    dip.fwhm === undefined
      ? `FWHM n/a (${dip.edge ? "cut off by the span" : "no half-depth crossing"})`
      : `FWHM ${picometres(dip.fwhm)} pm`;
  return `${(dip.wavelength * 1e9).toFixed(3)} nm, ${dip.depthDb.toFixed(1)} dB, ${width}`;
}

/**
 * Resonance wavelength (nm) against heater power (mW), the measured points
 * and the fitted line, whose slope and standard error (pm/mW) name it in
 * the legend. `fit` is of wavelength in m on power in W, as linearFit
 * returns it for the tuning plan.
 */
export function tuningPlot(
  points: readonly TuningPlotPoint[],
  fit: LinearFit | undefined,
  options: PlotOptions = {},
): string {
  const found = points.filter((p) => Number.isFinite(p.resonance) && Number.isFinite(p.heaterPower));
  const power = Float64Array.from(found, (p) => p.heaterPower * 1e3);
  const series: Series[] = [
    {
      name: "measured",
      x: power,
      y: Float64Array.from(found, (p) => p.resonance * 1e9),
      color: "#1f4e9c",
      markers: true,
      markerRadius: 3.5,
      ...(found.some((p) => p.resonanceError !== undefined) && {
        yErrors: Float64Array.from(found, (p) => (p.resonanceError ?? Number.NaN) * 1e9),
      }),
    },
  ];
  if (fit && power.length > 0) {
    const ends = Float64Array.of(Math.min(...power), Math.max(...power));
    series.push({
      name: `fit: ${withError(fit.slope * 1e9, fit.slopeError * 1e9)} pm/mW`,
      x: ends,
      y: ends.map((p) => (fit.intercept + fit.slope * p * 1e-3) * 1e9),
      color: "#b00",
    });
  }
  return svgPlot({
    title: options.title ?? "Heater tuning",
    xLabel: "heater power (mW)",
    yLabel: "resonance wavelength (nm)",
    series,
  });
}

/** Transmission (dB) after each pulse against pulse number. */
export function pulsePlot(points: PulsePlotPoints, options: PlotOptions = {}): string {
  if (points.pulse.length !== points.transmission.length) {
    throw new RangeError(
      `pulsePlot: ${points.pulse.length} pulses but ${points.transmission.length} transmissions`,
    );
  }
  return svgPlot({
    title: options.title ?? "Transmission after each pulse",
    xLabel: "pulse number",
    yLabel: "transmission (dB)",
    series: [
      {
        name: "readout",
        x: Float64Array.from(points.pulse),
        y: Float64Array.from(points.transmission, decibels),
        color: "#1f4e9c",
        markers: true,
        markerRadius: 3.5,
      },
    ],
  });
}

function decibels(ratio: number): number {
  return 10 * Math.log10(ratio);
}

function picometres(metres: number): string {
  const pm = metres * 1e12;
  return pm >= 10 ? pm.toFixed(0) : pm.toPrecision(2);
}

/** "85.012 ± 0.024": the error to two significant digits, the value to the same decimal place. */
function withError(value: number, error: number): string {
  if (!(error > 0 && Number.isFinite(error))) return `${Number.parseFloat(value.toPrecision(4))} ± ?`;
  const decimals = Math.max(0, 1 - Math.floor(Math.log10(error)));
  return `${value.toFixed(decimals)} ± ${error.toFixed(decimals)}`;
}

/** At most 2·`buckets` points: each bucket's lowest and highest sample, in their order. */
function minMaxDecimate(x: Float64Array, y: Float64Array, buckets: number): [Float64Array, Float64Array] {
  if (x.length <= 2 * buckets) return [x, y];
  const size = Math.ceil(x.length / buckets);
  const keep: number[] = [];
  for (let start = 0; start < x.length; start += size) {
    let lo = start;
    let hi = start;
    for (let k = start; k < Math.min(start + size, x.length); k++) {
      if ((y[k] as number) < (y[lo] as number)) lo = k;
      if ((y[k] as number) > (y[hi] as number)) hi = k;
    }
    keep.push(Math.min(lo, hi));
    if (hi !== lo) keep.push(Math.max(lo, hi));
  }
  return [Float64Array.from(keep, (k) => x[k] as number), Float64Array.from(keep, (k) => y[k] as number)];
}
