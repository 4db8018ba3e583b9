/**
 * Complex arithmetic for the model layer's reference code. Scalars are
 * plain `{ re, im }` objects (clear, allocation is fine off the hot path);
 * arrays are interleaved Float64Arrays `[re0, im0, re1, im1, ...]`, the
 * layout the WASM kernels use (STYLE.md 7), so a reference result and a
 * kernel result compare element by element.
 */

export interface Complex {
  readonly re: number;
  readonly im: number;
}

export const ZERO: Complex = { re: 0, im: 0 };
export const ONE: Complex = { re: 1, im: 0 };
export const I: Complex = { re: 0, im: 1 };

export function complex(re: number, im = 0): Complex {
  return { re, im };
}

/** r·e^{iθ}. */
export function polar(r: number, theta: number): Complex {
  return { re: r * Math.cos(theta), im: r * Math.sin(theta) };
}

/** e^{iθ}. */
export function expi(theta: number): Complex {
  return { re: Math.cos(theta), im: Math.sin(theta) };
}

export function add(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

export function sub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

export function mul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

/** a / b (Smith's algorithm: no overflow for large |b|). */
export function div(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

export function scale(a: Complex, s: number): Complex {
  return { re: a.re * s, im: a.im * s };
}

export function neg(a: Complex): Complex {
  return { re: -a.re, im: -a.im };
}

export function conj(a: Complex): Complex {
  return { re: a.re, im: -a.im };
}

/** |a|². */
export function abs2(a: Complex): number {
  return a.re * a.re + a.im * a.im;
}

export function abs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}

export function arg(a: Complex): number {
  return Math.atan2(a.im, a.re);
}

/** e^a. */
export function exp(a: Complex): Complex {
  return polar(Math.exp(a.re), a.im);
}

/**
 * Principal square root (branch cut on the negative real axis; Re ≥ 0).
 * Takes the larger of |Re √w|, |Im √w| from √((|w| + |Re w|)/2) and the other
 * from Im w / (2·that), so nothing cancels near the negative real axis —
 * where an evanescent wave in a weakly absorbing medium lives.
 */
export function sqrt(w: Complex): Complex {
  if (w.re === 0 && w.im === 0) return ZERO;
  const t = Math.sqrt((Math.hypot(w.re, w.im) + Math.abs(w.re)) / 2);
  if (w.re >= 0) return { re: t, im: w.im / (2 * t) };
  return { re: Math.abs(w.im) / (2 * t), im: w.im < 0 ? -t : t };
}

/** Element k of an interleaved complex array. */
export function at(array: Float64Array, k: number): Complex {
  return { re: array[2 * k] as number, im: array[2 * k + 1] as number };
}

/** Writes `value` as element k of an interleaved complex array. */
export function put(array: Float64Array, k: number, value: Complex): void {
  array[2 * k] = value.re;
  array[2 * k + 1] = value.im;
}
