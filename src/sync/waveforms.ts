/**
 * Stimulus levels for sweeps. A bipolar triangle 0 → +A → 0 → −A → 0 is the
 * standard memristor I-V stimulus (Chua, "Memristor—the missing circuit
 * element", IEEE TCT 18, 507 (1971); Strukov et al. 2008, Fig. 2): it
 * visits every level once going up and once coming down, so the two
 * branches of a pinched hysteresis loop can be compared level by level.
 */

/**
 * Levels of `cycles` bipolar triangles of amplitude `amplitude` (V or A),
 * `pointsPerCycle` levels per cycle (a multiple of 4, so that ±amplitude and
 * 0 are hit exactly). The final return to 0 is included once at the end.
 */
export function bipolarTriangle(amplitude: number, pointsPerCycle: number, cycles = 1): Float64Array {
  if (!(amplitude > 0) || !Number.isFinite(amplitude)) {
    throw new RangeError(`bipolarTriangle: amplitude must be a positive finite number, got ${amplitude}`);
  }
  if (!Number.isInteger(pointsPerCycle) || pointsPerCycle < 4 || pointsPerCycle % 4 !== 0) {
    throw new RangeError(
      `bipolarTriangle: pointsPerCycle must be a multiple of 4 (≥ 4), got ${pointsPerCycle}`,
    );
  }
  if (!Number.isInteger(cycles) || cycles < 1) {
    throw new RangeError(`bipolarTriangle: cycles must be a positive integer, got ${cycles}`);
  }
  const quarter = pointsPerCycle / 4;
  const levels = new Float64Array(pointsPerCycle * cycles + 1);
  for (let k = 0; k < levels.length; k++) {
    // Integer step index first, so that a level visited rising and falling
    // is the same double (the branches are compared by exact level).
    const phase = k % pointsPerCycle;
    const step = phase <= quarter ? phase : phase <= 3 * quarter ? 2 * quarter - phase : phase - 4 * quarter;
    levels[k] = (amplitude * step) / quarter;
  }
  return levels;
}
