/**
 * The demo chip's electrical ports, driven by ideal source-measure units,
 * by nodal analysis; compiled by tsc (../dynamics.ts) and by asc
 * (src/core/assembly/chip.ts). Rules for portable files:
 * src/models/memristor/portable/README.md. Results go to module globals
 * (AssemblyScript has no multiple returns): read them right after a call.
 *
 * ```
 *   heaterLine  A ──[ R_m(x) ]── N ──[ R_h ]── G      heater: N–G
 *   memristor   P ──[ R_v(w) ]── Q                     (its own pads)
 * ```
 *
 * Both memristor models are ohmic at a fixed state (I = V/R), so at a given
 * state each circuit is linear. A port is a voltage source (fixes its node),
 * a current source (injects into its node) or open (injects 0). KCL at A and
 * N, with J the injected currents:
 *   (V_A − V_N)/R_m = J_A,   (V_N − V_A)/R_m + V_N/R_h = J_N,
 * solved in closed form for each combination (both voltage: fixed; A
 * voltage, N current: V_N = R_h (V_A + J_N R_m)/(R_m + R_h); A current,
 * N voltage: V_A = V_N + J_A R_m; both current: V_N = (J_A + J_N) R_h,
 * V_A = V_N + J_A R_m). An open heater line leaves A floating at V_N.
 *
 * Compliance: a voltage source whose current |I| exceeds its limit becomes
 * a current source of ±limit (the sign of the current it would draw); a
 * current source whose voltage exceeds its limit becomes a voltage source
 * of ±limit; then the circuit is solved again. If both ports exceed, the one
 * further past its limit (|I|/limit or |V|/limit) is switched first, and the
 * other is checked again — a switched port may bring the other back within
 * its limit. Each port switches at most once. The partial derivatives with
 * respect to R_m and R_h are those of the configuration the solve ends in.
 */

/** Drive modes as stored in the stimulus (layout.ts MODE_OPEN, MODE_VOLTAGE, MODE_CURRENT). */
const OPEN = 0.0;
const VOLTAGE = 1.0;
const CURRENT = 2.0;

// ---- heater circuit results
/** Node voltages V_A (heater line pad) and V_N (heater pad), V. */
export let nodeA = 0.0;
export let nodeN = 0.0;
/** Currents into the heaterLine port (at A) and the heater port (at N), A. */
export let currentA = 0.0;
export let currentN = 0.0;
/** 1 where the port's compliance limits it. */
export let limitedA = 0.0;
export let limitedN = 0.0;
/** What each port is after compliance: VOLTAGE (fixing its node at `valueA`/`valueN`) or CURRENT (injecting it). */
export let kindA = 0.0;
export let kindN = 0.0;
export let valueA = 0.0;
export let valueN = 0.0;
/** Partials of V_A, V_N, I_A, I_N with respect to R_m (…Dm) and R_h (…Dh). */
export let nodeADm = 0.0;
export let nodeADh = 0.0;
export let nodeNDm = 0.0;
export let nodeNDh = 0.0;
export let currentADm = 0.0;
export let currentADh = 0.0;
export let currentNDm = 0.0;
export let currentNDh = 0.0;

// ---- standalone port results
/** Voltage across and current into the memristor port, V and A. */
export let portVoltage = 0.0;
export let portCurrent = 0.0;
export let portLimited = 0.0;
/** Their partials with respect to the device's resistance R. */
export let portVoltageDr = 0.0;
export let portCurrentDr = 0.0;

// ---- Thevenin results
/** Open-circuit voltage, V, and resistance, Ω, seen from a port. */
export let theveninVoltage = 0.0;
export let theveninResistance = 0.0;

/** The two-node circuit with each port fixed (VOLTAGE) or injecting (CURRENT), and its partials. */
function solveNodes(kA: number, vA: number, kN: number, vN: number, rm: number, rh: number): void {
  if (kA === VOLTAGE) {
    nodeA = vA;
    nodeADm = 0;
    nodeADh = 0;
    if (kN === VOLTAGE) {
      nodeN = vN;
      nodeNDm = 0;
      nodeNDh = 0;
    } else {
      const sum = rm + rh;
      nodeN = (rh * (vA + vN * rm)) / sum;
      nodeNDm = (rh * (vN * rh - vA)) / (sum * sum);
      nodeNDh = (rm * (vA + vN * rm)) / (sum * sum);
    }
  } else if (kN === VOLTAGE) {
    nodeN = vN;
    nodeNDm = 0;
    nodeNDh = 0;
    nodeA = vN + vA * rm;
    nodeADm = vA;
    nodeADh = 0;
  } else {
    nodeN = (vA + vN) * rh;
    nodeNDm = 0;
    nodeNDh = vA + vN;
    nodeA = nodeN + vA * rm;
    nodeADm = vA;
    nodeADh = vA + vN;
  }
  if (kA === CURRENT) {
    currentA = vA;
    currentADm = 0;
    currentADh = 0;
  } else {
    currentA = (nodeA - nodeN) / rm;
    currentADm = (nodeADm - nodeNDm) / rm - currentA / rm;
    currentADh = (nodeADh - nodeNDh) / rm;
  }
  if (kN === CURRENT) {
    currentN = vN;
    currentNDm = 0;
    currentNDh = 0;
  } else {
    currentN = nodeN / rh - currentA;
    currentNDm = nodeNDm / rh - currentADm;
    currentNDh = nodeNDh / rh - nodeN / (rh * rh) - currentADh;
  }
}

/** How far past its limit a port is (> 1: over it): |I|/limit for a voltage source, |V|/limit for a current source. */
function excess(mode: number, limit: number, voltage: number, current: number): number {
  if (mode === OPEN) return 0;
  const measured = Math.abs(mode === VOLTAGE ? current : voltage);
  if (limit > 0) return measured / limit;
  return measured > 0 ? 2 : 0;
}

/**
 * Solves the heater circuit for the heater port's drive (at N) and the
 * heater line's (at A), with compliance, at memristance R_m and heater
 * resistance R_h (Ω).
 */
export function solveHeaterCircuit(
  modeN: number,
  levelN: number,
  limitN: number,
  modeA: number,
  levelA: number,
  limitA: number,
  rm: number,
  rh: number,
): void {
  kindA = modeA === VOLTAGE ? VOLTAGE : CURRENT;
  valueA = modeA === OPEN ? 0 : levelA;
  kindN = modeN === VOLTAGE ? VOLTAGE : CURRENT;
  valueN = modeN === OPEN ? 0 : levelN;
  limitedA = 0;
  limitedN = 0;
  solveNodes(kindA, valueA, kindN, valueN, rm, rh);
  for (let pass = 0; pass < 2; pass++) {
    const overA = limitedA === 0 ? excess(modeA, limitA, nodeA, currentA) : 0;
    const overN = limitedN === 0 ? excess(modeN, limitN, nodeN, currentN) : 0;
    if (overA <= 1 && overN <= 1) break;
    if (overA >= overN) {
      limitedA = 1;
      if (modeA === VOLTAGE) {
        kindA = CURRENT;
        valueA = currentA > 0 ? limitA : -limitA;
      } else {
        kindA = VOLTAGE;
        valueA = nodeA > 0 ? limitA : -limitA;
      }
    } else {
      limitedN = 1;
      if (modeN === VOLTAGE) {
        kindN = CURRENT;
        valueN = currentN > 0 ? limitN : -limitN;
      } else {
        kindN = VOLTAGE;
        valueN = nodeN > 0 ? limitN : -limitN;
      }
    }
    solveNodes(kindA, valueA, kindN, valueN, rm, rh);
  }
}

/** One device of resistance R (Ω) between the pads of a port, with compliance. */
export function solvePort(mode: number, level: number, limit: number, r: number): void {
  portLimited = 0;
  if (mode === VOLTAGE) {
    const current = level / r;
    if (Math.abs(current) > limit) {
      portLimited = 1;
      portCurrent = current > 0 ? limit : -limit;
      portVoltage = portCurrent * r;
      portVoltageDr = portCurrent;
      portCurrentDr = 0;
    } else {
      portVoltage = level;
      portCurrent = current;
      portVoltageDr = 0;
      portCurrentDr = -current / r;
    }
  } else if (mode === CURRENT) {
    const voltage = level * r;
    if (Math.abs(voltage) > limit) {
      portLimited = 1;
      portVoltage = voltage > 0 ? limit : -limit;
      portCurrent = portVoltage / r;
      portVoltageDr = 0;
      portCurrentDr = -portCurrent / r;
    } else {
      portVoltage = voltage;
      portCurrent = level;
      portVoltageDr = level;
      portCurrentDr = 0;
    }
  } else {
    portVoltage = 0;
    portCurrent = 0;
    portVoltageDr = 0;
    portCurrentDr = 0;
  }
}

/**
 * Thevenin equivalent seen from the heater port (N–G) with the heater line
 * driven as given and the heater port open: the line's source (after its
 * compliance at that operating point) behind R_m, in parallel with R_h.
 * Exact while connecting the heater port does not change the line's
 * compliance state.
 */
export function theveninHeater(modeA: number, levelA: number, limitA: number, rm: number, rh: number): void {
  solveHeaterCircuit(OPEN, 0, 0, modeA, levelA, limitA, rm, rh);
  if (kindA === VOLTAGE) {
    theveninVoltage = (valueA * rh) / (rm + rh);
    theveninResistance = (rm * rh) / (rm + rh);
  } else {
    theveninVoltage = valueA * rh;
    theveninResistance = rh;
  }
}

/** Thevenin equivalent seen from the heater line (A–G) with the heater port driven as given and the line open. */
export function theveninLine(modeN: number, levelN: number, limitN: number, rm: number, rh: number): void {
  solveHeaterCircuit(modeN, levelN, limitN, OPEN, 0, 0, rm, rh);
  if (kindN === VOLTAGE) {
    theveninVoltage = valueN;
    theveninResistance = rm;
  } else {
    theveninVoltage = valueN * rh;
    theveninResistance = rm + rh;
  }
}
