/**
 * Measuring a computed spectrum the way one measures a real one: find a
 * dip's minimum and the wavelengths where the response crosses a level.
 * Both iterate to the resolution of f64, so what they measure is the
 * model's, not the search's.
 */

/** Wavelength of the minimum of f in [lo, hi] (golden-section search; f unimodal there). */
export function minimumOf(f: (x: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let [a, b] = [lo, hi];
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let k = 0; k < 200 && b - a > 4e-16 * Math.abs(b); k++) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - g * (b - a);
      fc = f(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** x in [lo, hi] where f(x) = level, f − level changing sign once there (bisection). */
export function crossing(f: (x: number) => number, level: number, lo: number, hi: number): number {
  let [a, b] = [lo, hi];
  const below = f(a) < level;
  if (below === f(b) < level) throw new Error(`no crossing of ${level} in [${lo}, ${hi}]`);
  for (let k = 0; k < 200; k++) {
    const m = (a + b) / 2;
    if (m === a || m === b) break;
    if (f(m) < level === below) a = m;
    else b = m;
  }
  return (a + b) / 2;
}
