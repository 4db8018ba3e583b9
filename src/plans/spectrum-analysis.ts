/**
 * What a plan reads off a measured transmission spectrum: the resonance
 * dips of a microring's through port (position, depth, width, Q), and the
 * straight-line fit that turns resonance shifts into a tuning efficiency.
 * Pure functions over SI arrays; nothing here knows about instruments.
 *
 * The lineshape. An all-pass ring's through port (Bogaerts et al.,
 * "Silicon microring resonators", Laser Photonics Rev. 6, 47–73 (2012),
 * the all-pass intensity transmission of their ring theory; as
 * src/models/photonic/ring.ts computes it) is
 *
 *   T = (a² − 2ra cos φ + r²)/(1 − 2ar cos φ + (ra)²),   φ = 2π n_eff L/λ,
 *
 * and near a resonance φ = 2πm its dip 1 − T is a Lorentzian in λ,
 *
 *   B − T(λ) = D/(1 + (2(λ − λ₀)/FWHM)²),   FWHM = (1 − ra) λ₀²/(π n_g L √(ra)),
 *
 * with B the transmission far from the dip and D its depth. So 1/(B − T) is
 * a parabola in λ whose vertex is λ₀, whose value there is 1/D and whose
 * curvature gives the width: a Lorentzian fit reduces to a weighted linear
 * least-squares quadratic (Press et al., Numerical Recipes, 3rd ed., §15.4,
 * general linear least squares), weighted by (B − T)⁴ because noise σ on T
 * becomes σ/(B − T)² on 1/(B − T).
 *
 * Detection uses topographic prominence, as SciPy's `peak_prominences`
 * defines it for peaks (here for dips: the signal turned upside down): from
 * a local minimum, extend a horizontal line each way until the signal falls
 * below it or the span (or `window`) ends; the highest transmission on each
 * side is a base, and the prominence is the lower base over the minimum, in
 * dB. Noise makes many local minima but none with a prominence beyond a few
 * noise amplitudes, so a 3 dB threshold keeps only real dips.
 */

/** A transmission spectrum, in SI. */
export interface Spectrum {
  /** Wavelengths, m, strictly ascending. */
  readonly wavelength: Float64Array;
  /** Transmission at each wavelength, a linear power ratio (> 0). */
  readonly transmission: Float64Array;
}

/** How the level a dip is measured from is taken. */
export type BaselineMethod =
  /**
   * The line that touches the samples from above on both sides of the dip,
   * between it and the next detected dip (or the span's edge) each side —
   * the bridge of their upper convex hull — evaluated at the dip, so a
   * tilted envelope (a grating coupler's passband) is followed. Where the
   * span cuts off one flank, the other side's highest sample. It rests on
   * the highest samples, which noise lifts by a few standard deviations:
   * smooth, or use a percentile, when that matters.
   */
  | "bases"
  /** A percentile (0–100, e.g. 90) of the transmission between the dip's two bases: robust to noise on a flat envelope. */
  | { readonly percentile: number };

export interface FindDipsOptions {
  /** Least prominence a dip must have, dB (default 3). */
  readonly minProminenceDb?: number;
  /**
   * Moving-average window, samples (odd; default 1: none). It steadies
   * detection and the bases; the dip itself (minimum, fit, crossings) is
   * always measured on the raw samples, since smoothing would widen it.
   */
  readonly smoothing?: number;
  /** Half-width of the neighbourhood searched for a dip's bases, m (default: the whole span). */
  readonly window?: number;
  /** Default "bases". */
  readonly baseline?: BaselineMethod;
  /**
   * How the minimum is refined between samples (default "lorentzian"): the
   * linearised Lorentzian fit above, a least-squares parabola through the
   * same points (cruder: a Lorentzian is not a parabola), or none.
   */
  readonly refine?: "lorentzian" | "parabola" | "none";
}

/** Sample indices behind a dip's numbers. */
export interface DipIndices {
  /** The lowest raw sample. */
  readonly minimum: number;
  /** The bases: where the baseline touches the samples each side (see {@link BaselineMethod}). */
  readonly leftBase: number;
  readonly rightBase: number;
  /** First and last sample of the refinement fit: those below half depth, widened to 5 (3 for the parabola) on a coarse grid. */
  readonly fitStart: number;
  readonly fitEnd: number;
}

export interface Dip {
  /** Resonance wavelength, m: the refined minimum. */
  readonly wavelength: number;
  /** How `wavelength` and `minTransmission` were obtained; "sample" when a fit was not asked for or not trustworthy. */
  readonly refinement: "lorentzian" | "parabola" | "sample";
  /** Transmission at the minimum, linear: the fit's, or the lowest sample's where the fit's is not in (0, baseline). */
  readonly minTransmission: number;
  /** Local baseline at the dip, linear (see {@link BaselineMethod}). */
  readonly baseline: number;
  /** 1 − minTransmission/baseline. */
  readonly depth: number;
  /** Extinction ratio 10 log10(baseline/minTransmission), dB. */
  readonly depthDb: number;
  /** Prominence, dB (detection's measure, on the possibly smoothed signal). */
  readonly prominenceDb: number;
  /**
   * Full width at half depth, m: between the two crossings, linearly
   * interpolated between samples, of the level halfway between the
   * baseline and the minimum. Undefined when a crossing is not in the span
   * (see `fwhmUnavailable`).
   */
  readonly fwhm?: number;
  /** The two half-depth crossings, m. */
  readonly halfDepthWavelengths?: readonly [number, number];
  /** Loaded quality factor λ₀/FWHM. */
  readonly q?: number;
  /** The Lorentzian fit's own FWHM, m (2√(value at vertex/curvature) of the parabola in 1/(B − T)). */
  readonly fitFwhm?: number;
  /** Why `fwhm` is undefined. */
  readonly fwhmUnavailable?: string;
  /** Which end of the span cuts off a flank before its half-depth crossing. */
  readonly edge?: "start" | "end" | "both";
  readonly indices: DipIndices;
}

/** Finds the resonance dips of a spectrum, in ascending wavelength. */
export function findDips(spectrum: Spectrum, options: FindDipsOptions = {}): Dip[] {
  checkSpectrum(spectrum);
  const minProminenceDb = options.minProminenceDb ?? 3;
  const smoothing = options.smoothing ?? 1;
  const refine = options.refine ?? "lorentzian";
  const baselineMethod = options.baseline ?? "bases";
  if (!(minProminenceDb >= 0))
    throw new RangeError(`findDips: minProminenceDb must be ≥ 0, got ${minProminenceDb}`);
  if (!(Number.isInteger(smoothing) && smoothing >= 1 && smoothing % 2 === 1)) {
    throw new RangeError(`findDips: smoothing must be an odd number of samples ≥ 1, got ${smoothing}`);
  }
  if (options.window !== undefined && !(options.window > 0)) {
    throw new RangeError(`findDips: window must be a positive wavelength span (m), got ${options.window}`);
  }
  if (
    typeof baselineMethod === "object" &&
    !(baselineMethod.percentile >= 0 && baselineMethod.percentile <= 100)
  ) {
    throw new RangeError(`findDips: baseline percentile must be 0 to 100, got ${baselineMethod.percentile}`);
  }

  const { wavelength: λ, transmission: t } = spectrum;
  const n = t.length;
  const s = smoothing > 1 ? movingAverage(t, smoothing) : t;
  const highest = new RangeArgMax(s);
  const within = (i: number): [number, number] =>
    options.window === undefined
      ? [0, n - 1]
      : [
          lowerBound(λ, (λ[i] as number) - options.window),
          lowerBound(λ, (λ[i] as number) + options.window) - 1,
        ];

  // Detection: each local minimum's prominence, from its bases (the highest points before a lower sample or the edge).
  const { left: lowerLeft, right: lowerRight } = nearestLower(s);
  const found: { index: number; prominenceDb: number }[] = [];
  for (const i of localMinima(s)) {
    const [lo, hi] = within(i);
    const from = Math.max(lo, (lowerLeft[i] as number) + 1);
    const to = Math.min(hi, (lowerRight[i] as number) - 1);
    if (from >= i || to <= i) continue; // a window narrower than the dip's own flat bottom
    const base = Math.min(s[highest.argMax(from, i - 1)] as number, s[highest.argMax(i + 1, to)] as number);
    const prominenceDb = 10 * Math.log10(base / (s[i] as number));
    if (prominenceDb >= minProminenceDb) found.push({ index: i, prominenceDb });
  }

  // Measurement: from the envelope between a dip and its detected neighbours, its own stretch of baseline
  // (the detection bases of a comb on a tilted envelope can lie several resonances away).
  const dips: Dip[] = [];
  found.forEach(({ index: i, prominenceDb }, k) => {
    const [lo, hi] = within(i);
    const from = Math.max(lo, (found[k - 1]?.index ?? -1) + 1);
    const to = Math.min(hi, (found[k + 1]?.index ?? n) - 1);
    const minimum = rawMinimum(t, i, (smoothing - 1) / 2);
    const [leftBase, rightBase, envelope] = bases(λ, s, from, to, i, highest);
    const baseline =
      typeof baselineMethod === "object"
        ? percentile(s.subarray(leftBase, rightBase + 1), baselineMethod.percentile)
        : envelope(λ[minimum] as number);
    const sampleMin = t[minimum] as number;
    if (!(baseline > sampleMin)) return;

    const [fitStart, fitEnd] = fitRange(
      t,
      minimum,
      baseline,
      leftBase,
      rightBase,
      refine === "parabola" ? 3 : 5,
    );
    const fit =
      refine === "lorentzian"
        ? lorentzianVertex(λ, t, fitStart, fitEnd, baseline)
        : refine === "parabola"
          ? parabolaVertex(λ, t, fitStart, fitEnd)
          : undefined;
    const wavelength = fit?.wavelength ?? (λ[minimum] as number);
    // A fitted minimum outside (0, baseline) (noise at the bottom of a deep dip) falls back to the lowest sample.
    const minTransmission =
      fit !== undefined && fit.minTransmission > 0 && fit.minTransmission < baseline
        ? fit.minTransmission
        : sampleMin;
    const width = halfDepthWidth(λ, t, minimum, (baseline + minTransmission) / 2, leftBase, rightBase);

    dips.push({
      wavelength,
      refinement: fit === undefined ? "sample" : refine === "lorentzian" ? "lorentzian" : "parabola",
      minTransmission,
      baseline,
      depth: 1 - minTransmission / baseline,
      depthDb: 10 * Math.log10(baseline / minTransmission),
      prominenceDb,
      ...(width.crossings && {
        fwhm: width.crossings[1] - width.crossings[0],
        halfDepthWavelengths: width.crossings,
        q: wavelength / (width.crossings[1] - width.crossings[0]),
      }),
      ...(fit?.fwhm !== undefined && { fitFwhm: fit.fwhm }),
      ...(width.reason !== undefined && { fwhmUnavailable: width.reason }),
      ...(width.missing && { edge: width.missing }),
      indices: { minimum, leftBase, rightBase, fitStart, fitEnd },
    });
  });
  return dips;
}

/** A straight-line fit y = intercept + slope·x. */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Standard errors of slope and intercept (NaN for two points without sigma). */
  readonly slopeError: number;
  readonly interceptError: number;
  /** Cov(slope, intercept). */
  readonly covariance: number;
  /** Coefficient of determination 1 − Σw(y − ŷ)²/Σw(y − ȳ_w)² (w = 1/σ², or 1). */
  readonly r2: number;
  /** y − ŷ at each point. */
  readonly residuals: Float64Array;
  /** Σ((y − ŷ)/σ)² (σ = 1 without sigma: the residual sum of squares). */
  readonly chi2: number;
  /** Degrees of freedom, N − 2. */
  readonly dof: number;
  /** chi2/dof; near 1 when sigma describes the scatter (NaN for dof 0). */
  readonly reducedChi2: number;
}

/**
 * Least-squares straight line (Press et al., Numerical Recipes, 3rd ed.,
 * §15.2, "Fitting data to a straight line", in its centred form, which
 * they recommend against round-off):
 *
 *   S = Σ 1/σᵢ²,  Sx = Σ xᵢ/σᵢ²,  Sy = Σ yᵢ/σᵢ²,  tᵢ = (xᵢ − Sx/S)/σᵢ,  Stt = Σ tᵢ²
 *   slope b = (1/Stt) Σ tᵢ yᵢ/σᵢ,   intercept a = (Sy − Sx b)/S
 *   σ_b² = 1/Stt,   σ_a² = (1 + Sx²/(S Stt))/S,   Cov(a, b) = −Sx/(S Stt)
 *
 * With `sigma` (the standard deviation of each y) the errors are those,
 * taken at their word, and `reducedChi2` says whether they were right.
 * Without it, every σᵢ = 1 and the errors are scaled by the scatter,
 * √(χ²/(N − 2)) (same section): the textbook ordinary least squares. Two
 * points without sigma give the line through them, and NaN errors: there
 * is no scatter to estimate them from.
 */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>, sigma?: ArrayLike<number>): LinearFit {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`linearFit: ${n} x values but ${y.length} y values`);
  if (sigma !== undefined && sigma.length !== n)
    throw new RangeError(`linearFit: ${n} points but ${sigma.length} sigmas`);
  if (n < 2) throw new RangeError(`linearFit: a line needs 2 points or more, got ${n}`);
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(x[k]) || !Number.isFinite(y[k])) {
      throw new RangeError(`linearFit: point ${k} is not finite (x ${x[k]}, y ${y[k]})`);
    }
    if (sigma && !((sigma[k] as number) > 0 && Number.isFinite(sigma[k]))) {
      throw new RangeError(`linearFit: sigma[${k}] must be positive and finite, got ${sigma[k]}`);
    }
  }
  const weight = (k: number) => (sigma ? 1 / (sigma[k] as number) ** 2 : 1);
  let S = 0;
  let Sx = 0;
  let Sy = 0;
  for (let k = 0; k < n; k++) {
    const w = weight(k);
    S += w;
    Sx += w * (x[k] as number);
    Sy += w * (y[k] as number);
  }
  const xMean = Sx / S;
  let Stt = 0;
  let Sty = 0;
  for (let k = 0; k < n; k++) {
    const w = weight(k);
    const dx = (x[k] as number) - xMean;
    Stt += w * dx * dx;
    Sty += w * dx * (y[k] as number);
  }
  if (!(Stt > 0)) throw new RangeError("linearFit: all x are equal, so no slope can be fitted");
  const slope = Sty / Stt;
  const intercept = (Sy - Sx * slope) / S;
  const residuals = new Float64Array(n);
  const yMean = Sy / S;
  let chi2 = 0;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const w = weight(k);
    const r = (y[k] as number) - (intercept + slope * (x[k] as number));
    residuals[k] = r;
    chi2 += w * r * r;
    total += w * ((y[k] as number) - yMean) ** 2;
  }
  const dof = n - 2;
  const reducedChi2 = dof > 0 ? chi2 / dof : Number.NaN;
  const scale = sigma ? 1 : reducedChi2;
  return {
    slope,
    intercept,
    slopeError: Math.sqrt(scale / Stt),
    interceptError: Math.sqrt((scale * (1 + (Sx * Sx) / (S * Stt))) / S),
    covariance: (-scale * Sx) / (S * Stt),
    r2: total > 0 ? 1 - chi2 / total : 1,
    residuals,
    chi2,
    dof,
    reducedChi2,
  };
}

function checkSpectrum({ wavelength, transmission }: Spectrum): void {
  if (wavelength.length !== transmission.length) {
    throw new RangeError(
      `findDips: ${wavelength.length} wavelengths but ${transmission.length} transmissions`,
    );
  }
  if (wavelength.length < 3)
    throw new RangeError(`findDips: a spectrum needs 3 samples or more, got ${wavelength.length}`);
  for (let k = 0; k < wavelength.length; k++) {
    const λ = wavelength[k] as number;
    if (!(Number.isFinite(λ) && (k === 0 || λ > (wavelength[k - 1] as number)))) {
      throw new RangeError(`findDips: wavelength[${k}] = ${λ} is not finite and above the one before`);
    }
    const t = transmission[k] as number;
    if (!(t > 0 && Number.isFinite(t))) {
      throw new RangeError(
        `findDips: transmission[${k}] = ${t} must be positive and finite (linear, not dB)`,
      );
    }
  }
}

/** Centred moving average; near the ends the window shrinks symmetrically, so nothing shifts. */
function movingAverage(values: Float64Array, window: number): Float64Array {
  const n = values.length;
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = (prefix[k] as number) + (values[k] as number);
  const out = new Float64Array(n);
  const half = (window - 1) / 2;
  for (let k = 0; k < n; k++) {
    const h = Math.min(half, k, n - 1 - k);
    out[k] = ((prefix[k + h + 1] as number) - (prefix[k - h] as number)) / (2 * h + 1);
  }
  return out;
}

/** Interior local minima; a flat-bottomed one (equal samples) counts once, at its middle. */
function* localMinima(s: Float64Array): Generator<number> {
  let k = 1;
  while (k < s.length - 1) {
    let end = k;
    while (end + 1 < s.length && s[end + 1] === s[k]) end++;
    if (
      (s[k - 1] as number) > (s[k] as number) &&
      end + 1 < s.length &&
      (s[end + 1] as number) > (s[k] as number)
    ) {
      yield Math.floor((k + end) / 2);
    }
    k = end + 1;
  }
}

/** For each sample, the nearest index each side with a strictly lower value (−1 and n where none), by monotonic stacks. */
function nearestLower(s: Float64Array): { left: Int32Array; right: Int32Array } {
  const n = s.length;
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  for (let k = 0; k < n; k++) {
    while (top > 0 && (s[stack[top - 1] as number] as number) >= (s[k] as number)) top--;
    left[k] = top > 0 ? (stack[top - 1] as number) : -1;
    stack[top++] = k;
  }
  top = 0;
  for (let k = n - 1; k >= 0; k--) {
    while (top > 0 && (s[stack[top - 1] as number] as number) >= (s[k] as number)) top--;
    right[k] = top > 0 ? (stack[top - 1] as number) : n;
    stack[top++] = k;
  }
  return { left, right };
}

/** Index of the highest sample in [from, to], in O(1) after an O(n log n) sparse table. */
class RangeArgMax {
  readonly #levels: Int32Array[] = [];

  constructor(readonly values: Float64Array) {
    const n = values.length;
    let level = Int32Array.from({ length: n }, (_, k) => k);
    this.#levels.push(level);
    for (let span = 1; 2 * span <= n; span *= 2) {
      const previous = level;
      level = new Int32Array(n - 2 * span + 1);
      for (let k = 0; k < level.length; k++)
        level[k] = this.#higher(previous[k] as number, previous[k + span] as number);
      this.#levels.push(level);
    }
  }

  argMax(from: number, to: number): number {
    const level = Math.floor(Math.log2(to - from + 1));
    const table = this.#levels[level] as Int32Array;
    return this.#higher(table[from] as number, table[to - 2 ** level + 1] as number);
  }

  #higher(a: number, b: number): number {
    return (this.values[b] as number) > (this.values[a] as number) ? b : a;
  }
}

/** First index with λ[k] ≥ value. */
function lowerBound(λ: Float64Array, value: number): number {
  let lo = 0;
  let hi = λ.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((λ[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The lowest raw sample within `half` samples of the (smoothed) minimum. */
function rawMinimum(t: Float64Array, i: number, half: number): number {
  let best = i;
  for (let k = Math.max(0, i - half); k <= Math.min(t.length - 1, i + half); k++) {
    if ((t[k] as number) < (t[best] as number)) best = k;
  }
  return best;
}

/**
 * A dip's two bases in [from, to] around its minimum i, and the envelope
 * they give. Normally the bridge of the upper convex hull across the dip:
 * the line that touches the samples from above on both sides (a
 * "rubber-band" baseline), so a tilted envelope is followed; the highest
 * sample each side would sit on the near flank's tail instead. A side whose
 * highest sample is the span's first or last and lower than the other
 * side's is on the dip's flank, cut off by the span: the other side's
 * highest sample is then the envelope, flat.
 */
function bases(
  λ: Float64Array,
  s: Float64Array,
  from: number,
  to: number,
  i: number,
  highest: RangeArgMax,
): [number, number, (at: number) => number] {
  const left = highest.argMax(from, i - 1);
  const right = highest.argMax(i + 1, to);
  const tl = s[left] as number;
  const tr = s[right] as number;
  if (left === 0 && tl < tr) return [left, right, () => tr];
  if (right === s.length - 1 && tr < tl) return [left, right, () => tl];
  // Andrew's monotone chain, upper half, in coordinates relative to the minimum (for round-off).
  const x0 = λ[i] as number;
  const hull: number[] = [];
  const cross = (o: number, a: number, b: number) =>
    ((λ[a] as number) - (λ[o] as number)) * ((s[b] as number) - (s[o] as number)) -
    ((s[a] as number) - (s[o] as number)) * ((λ[b] as number) - (λ[o] as number));
  for (let k = from; k <= to; k++) {
    while (
      hull.length >= 2 &&
      cross(hull[hull.length - 2] as number, hull[hull.length - 1] as number, k) >= 0
    ) {
      hull.pop();
    }
    hull.push(k);
  }
  let j = 0;
  while (j < hull.length - 2 && (hull[j + 1] as number) <= i) j++;
  const p = hull[j] as number;
  const q = hull[j + 1] as number;
  const xp = (λ[p] as number) - x0;
  const xq = (λ[q] as number) - x0;
  const sp = s[p] as number;
  const sq = s[q] as number;
  return [p, q, (at: number) => sp + ((sq - sp) * (at - x0 - xp)) / (xq - xp)];
}

/** Linear-interpolation percentile (Hyndman & Fan type 7, the default of NumPy and R). */
function percentile(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/**
 * The samples below half depth around the minimum, widened to at least
 * `least` samples (a dip only a few samples wide on a coarse grid), within
 * the bases and below the baseline.
 */
function fitRange(
  t: Float64Array,
  minimum: number,
  baseline: number,
  leftBase: number,
  rightBase: number,
  least: number,
): [number, number] {
  const level = (baseline + (t[minimum] as number)) / 2;
  let a = minimum;
  let b = minimum;
  while (a > leftBase && (t[a - 1] as number) < level) a--;
  while (b < rightBase && (t[b + 1] as number) < level) b++;
  while (b - a + 1 < least) {
    const canLeft = a > leftBase && (t[a - 1] as number) < baseline;
    const canRight = b < rightBase && (t[b + 1] as number) < baseline;
    if (!canLeft && !canRight) break;
    if (canLeft) a--;
    if (canRight && b - a + 1 < least) b++;
  }
  return [a, b];
}

interface Vertex {
  readonly wavelength: number;
  readonly minTransmission: number;
  readonly fwhm?: number;
}

/**
 * The Lorentzian through the samples [a, b]: a weighted parabola in
 * 1/(B − T) (see the file's comment). Undefined when the parabola does not
 * open upwards or its vertex falls outside the samples.
 */
function lorentzianVertex(
  λ: Float64Array,
  t: Float64Array,
  a: number,
  b: number,
  baseline: number,
): Vertex | undefined {
  const u: number[] = [];
  const z: number[] = [];
  const w: number[] = [];
  for (let k = a; k <= b; k++) {
    const y = baseline - (t[k] as number);
    if (!(y > 0)) continue;
    u.push(λ[k] as number);
    z.push(1 / y);
    w.push(y ** 4);
  }
  const vertex = quadraticVertex(u, z, w);
  if (vertex === undefined || !(vertex.value > 0)) return undefined;
  return {
    wavelength: vertex.at,
    minTransmission: baseline - 1 / vertex.value,
    fwhm: 2 * Math.sqrt(vertex.value / vertex.curvature),
  };
}

/** The least-squares parabola through T over [a, b]. */
function parabolaVertex(λ: Float64Array, t: Float64Array, a: number, b: number): Vertex | undefined {
  const u = Array.from(λ.subarray(a, b + 1));
  const vertex = quadraticVertex(
    u,
    Array.from(t.subarray(a, b + 1)),
    u.map(() => 1),
  );
  return vertex && { wavelength: vertex.at, minTransmission: vertex.value };
}

/**
 * Weighted least squares z ≈ c0 + c1 v + c2 v², v = (u − centre)/scale (so
 * the 3×3 normal equations are well conditioned whatever the units), and
 * the vertex: where, its value, and the curvature c2/scale² in u's units.
 */
function quadraticVertex(
  u: readonly number[],
  z: readonly number[],
  w: readonly number[],
): { at: number; value: number; curvature: number } | undefined {
  if (u.length < 3) return undefined;
  const first = u[0] as number;
  const last = u[u.length - 1] as number;
  const centre = (first + last) / 2;
  const scale = (last - first) / 2;
  // Normal equations M c = r with M_jk = Σ w v^(j+k), r_j = Σ w z v^j.
  const m = [0, 0, 0, 0, 0];
  const r = [0, 0, 0];
  for (let k = 0; k < u.length; k++) {
    const v = ((u[k] as number) - centre) / scale;
    const wk = w[k] as number;
    let p = wk;
    for (let e = 0; e <= 4; e++) {
      m[e] = (m[e] as number) + p;
      if (e <= 2) r[e] = (r[e] as number) + p * (z[k] as number);
      p *= v;
    }
  }
  const c = solve3(
    [
      [m[0] as number, m[1] as number, m[2] as number],
      [m[1] as number, m[2] as number, m[3] as number],
      [m[2] as number, m[3] as number, m[4] as number],
    ],
    r,
  );
  if (c === undefined) return undefined;
  const [c0, c1, c2] = c;
  if (!(c2 > 0)) return undefined;
  const v0 = -c1 / (2 * c2);
  if (!(v0 >= -1 && v0 <= 1)) return undefined;
  return { at: centre + v0 * scale, value: c0 - (c1 * c1) / (4 * c2), curvature: c2 / (scale * scale) };
}

/** Cramer's rule for a 3×3 system; undefined when singular. */
function solve3(a: number[][], r: number[]): [number, number, number] | undefined {
  const det = (m: number[][]) => {
    const [p, q, s] = m as [number[], number[], number[]];
    return (
      (p[0] as number) * ((q[1] as number) * (s[2] as number) - (q[2] as number) * (s[1] as number)) -
      (p[1] as number) * ((q[0] as number) * (s[2] as number) - (q[2] as number) * (s[0] as number)) +
      (p[2] as number) * ((q[0] as number) * (s[1] as number) - (q[1] as number) * (s[0] as number))
    );
  };
  const d = det(a);
  if (!(Math.abs(d) > 0) || !Number.isFinite(d)) return undefined;
  const column = (j: number) =>
    det(a.map((row, i) => row.map((value, k) => (k === j ? (r[i] as number) : value))));
  return [column(0) / d, column(1) / d, column(2) / d];
}

/**
 * The half-depth crossings each side of the minimum, linearly interpolated
 * between the last sample below `level` and the first at or above it,
 * searched no further than the base (or, for a cut-off flank, the edge).
 */
function halfDepthWidth(
  λ: Float64Array,
  t: Float64Array,
  minimum: number,
  level: number,
  leftBase: number,
  rightBase: number,
): { crossings?: readonly [number, number]; missing?: "start" | "end" | "both"; reason?: string } {
  if (!((t[minimum] as number) < level)) {
    return {
      reason: "the lowest sample is not below half depth (the fitted minimum is deeper than any sample)",
    };
  }
  const crossing = (k: number, next: number) => {
    const tk = t[k] as number;
    return (
      (λ[k] as number) +
      ((level - tk) * ((λ[next] as number) - (λ[k] as number))) / ((t[next] as number) - tk)
    );
  };
  let left: number | undefined;
  for (let k = minimum - 1; k >= leftBase; k--) {
    if ((t[k] as number) >= level) {
      left = crossing(k, k + 1);
      break;
    }
  }
  let right: number | undefined;
  for (let k = minimum + 1; k <= rightBase; k++) {
    if ((t[k] as number) >= level) {
      right = crossing(k, k - 1);
      break;
    }
  }
  if (left !== undefined && right !== undefined) return { crossings: [left, right] };
  const side = (missing: boolean, base: number, edge: number, name: string) =>
    missing
      ? base === edge
        ? `the span ends before the ${name} half-depth crossing`
        : `no ${name} half-depth crossing before the base (a deeper neighbour, or a tilted baseline)`
      : undefined;
  const reasons = [
    side(left === undefined, leftBase, 0, "short-wavelength"),
    side(right === undefined, rightBase, t.length - 1, "long-wavelength"),
  ].filter((r) => r !== undefined);
  const startMissing = left === undefined && leftBase === 0;
  const endMissing = right === undefined && rightBase === t.length - 1;
  return {
    ...(startMissing || endMissing
      ? { missing: startMissing && endMissing ? "both" : startMissing ? "start" : "end" }
      : {}),
    reason: reasons.join("; "),
  };
}
