/**
 * How much hysteresis an I-V trace shows. A memristor's loop is pinched at
 * the origin (Chua & Kang, Proc. IEEE 64, 209 (1976)): at the same voltage
 * the current differs between the rising and falling branch, except at 0 V.
 *
 * `branchSeparation` compares the branches level by level: for every
 * voltage visited both while rising and while falling, |I_rise − I_fall|,
 * and reports the largest as a fraction of the largest |I| in the trace.
 * `loopArea` is ∮ I dV (trapezoid rule over the trace, W), the energy a
 * cycle dissipates beyond what a resistor through the same points would.
 */
export interface HysteresisSummary {
  /** Largest |I_rise − I_fall| at a shared level, as a fraction of max |I| (0 = none). */
  readonly branchSeparation: number;
  /** Voltage, V, where that separation is largest. */
  readonly atVoltage: number;
  /** |∮ I dV| over the trace, W. */
  readonly loopArea: number;
  /** Current at the samples taken at 0 V, A (pinched loop: ≈ 0 up to noise). */
  readonly currentAtZero: Float64Array;
}

export function hysteresis(voltage: Float64Array, current: Float64Array): HysteresisSummary {
  if (voltage.length !== current.length) {
    throw new RangeError(`hysteresis: ${voltage.length} voltages but ${current.length} currents`);
  }
  const rising = new Map<number, number[]>();
  const falling = new Map<number, number[]>();
  let maxAbsCurrent = 0;
  let area = 0;
  const atZero: number[] = [];
  for (let k = 0; k < voltage.length; k++) {
    const v = voltage[k] as number;
    const i = current[k] as number;
    maxAbsCurrent = Math.max(maxAbsCurrent, Math.abs(i));
    if (v === 0) atZero.push(i);
    if (k === 0) continue;
    const dv = v - (voltage[k - 1] as number);
    area += 0.5 * (i + (current[k - 1] as number)) * dv;
    if (dv === 0) continue;
    const branch = dv > 0 ? rising : falling;
    const list = branch.get(v) ?? [];
    list.push(i);
    branch.set(v, list);
  }
  let separation = 0;
  let atVoltage = 0;
  for (const [v, up] of rising) {
    const down = falling.get(v);
    if (!down) continue;
    const gap = Math.abs(mean(up) - mean(down));
    if (gap > separation) {
      separation = gap;
      atVoltage = v;
    }
  }
  return {
    branchSeparation: maxAbsCurrent > 0 ? separation / maxAbsCurrent : 0,
    atVoltage,
    loopArea: Math.abs(area),
    currentAtZero: Float64Array.from(atZero),
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
