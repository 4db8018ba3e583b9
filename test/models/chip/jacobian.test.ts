/**
 * The demo chip's Jacobians on both backends (src/core/kernels/chip.ts)
 * against central finite differences of the TypeScript reference
 * (Richardson-extrapolated, test/support/finite-difference.ts), entry by
 * entry to 1e-5 relative, each entry below the rounding floor of its
 * output (`roundingFloor`: what a difference can resolve at that step) held
 * to that floor instead. Over a grid of states and drives: open, voltage
 * and current drives, in and out of compliance, the heater on and off, the
 * patch below T_x, crystallising above it, and cooling through it; steps
 * split into substeps and steps taken whole (src/models/chip/dynamics.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDemoChipBackend } from "../../../src/core/kernels/chip.js";
import { loadCore } from "../../../src/core/load-node.js";
import type { Core } from "../../../src/core/wasm.js";
import {
  type ChipParams,
  ChipReference,
  chipDefaults,
  chipParameters,
  chipParameterVector,
  chipStimulus,
  type Drive,
  demoChipTruth,
  chipLayout as L,
} from "../../../src/models/chip/index.js";
import { roundingFloor } from "../../support/finite-difference.js";
import { chipState, current, open, voltage } from "./support.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const TOLERANCE = 1e-5;
const STATE_SCALES = [1, 3e-9, 1, 300, 1, 1];

interface Case {
  readonly params: ChipParams;
  readonly state: Float64Array;
  readonly drives: { heater: Drive; heaterLine: Drive; memristor: Drive };
  readonly dt: number;
}

const CASES: readonly (readonly [string, Case])[] = [
  [
    "heater driven, line open, memristor switching on; patch cold",
    {
      params: chipDefaults,
      state: chipState({ x: 0.3, w: 2e-9, rise: 2, fraction: 0, ambient: 0.1 }),
      drives: { heater: voltage(1), heaterLine: open, memristor: voltage(-0.8, 1e-3) },
      dt: 3e-4,
    },
  ],
  [
    "line at 2 V limited to 0.5 mA, heater current source, memristor current-driven into its voltage limit",
    {
      params: demoChipTruth,
      state: chipState({ x: 0.4, w: 1.2e-9, rise: 1, fraction: 0.2, ambient: -0.05 }),
      drives: { heater: current(1e-3, 1.5), heaterLine: voltage(2, 0.5e-3), memristor: current(60e-6, 0.2) },
      dt: 3e-4,
    },
  ],
  [
    "heater at 2 V: patch crystallising above T_x; memristor switching off",
    {
      params: chipDefaults,
      state: chipState({ x: 0.6, w: 1.5e-9, rise: 10, cellTemperature: 430, fraction: 0.3 }),
      drives: { heater: voltage(2), heaterLine: open, memristor: voltage(1.2) },
      dt: 2e-6,
    },
  ],
  [
    "heater off: patch cooling through T_x",
    {
      params: demoChipTruth,
      state: chipState({ x: 0.5, w: 2.5e-9, rise: 30, cellTemperature: 460, fraction: 0.4, ambient: 0.2 }),
      drives: { heater: open, heaterLine: open, memristor: open },
      dt: 2e-6,
    },
  ],
  [
    "both heater ports voltage-driven; memristor in its current limit",
    {
      params: demoChipTruth,
      state: chipState({ x: 0.7, w: 0.8e-9, rise: 5, fraction: 0.5 }),
      drives: { heater: voltage(1.5), heaterLine: voltage(0.5, 1), memristor: voltage(-1, 40e-6) },
      dt: 1e-3,
    },
  ],
  [
    "heater line current-driven, heater open; 10 substeps",
    {
      params: chipDefaults,
      state: chipState({ x: 0.2, w: 2.9e-9, rise: 0.5, fraction: 0.8, ambient: 1 }),
      drives: { heater: open, heaterLine: current(1e-3), memristor: current(-50e-6, 5) },
      dt: 1e-3,
    },
  ],
  [
    "heater driven, line open, memristor at −0.8 V, patch cold: one substep of 50 ms for each part",
    {
      params: demoChipTruth,
      state: chipState({ x: 0.3, w: 2.4e-9, rise: 2, cellTemperature: 330, fraction: 0.1, ambient: 0.1 }),
      drives: { heater: voltage(1.1), heaterLine: open, memristor: voltage(-0.8, 1e-3) },
      dt: 50e-3,
    },
  ],
];

/**
 * A grid beside the hand-picked cases: three interior states (memristors
 * off-ish, half-way, on-ish; the patch cold, warm, above T_x) × four sets of
 * drives (all open; voltages within limits; currents; voltages held at
 * their compliance), on the hidden-truth parameters.
 */
const GRID_STATES = [
  ["off-ish, cold", chipState({ x: 0.15, w: 2.6e-9, rise: 0.2, cellTemperature: 300, fraction: 0.05 })],
  [
    "half-way, warm",
    chipState({ x: 0.5, w: 1.8e-9, rise: 4, cellTemperature: 360, fraction: 0.3, ambient: -0.1 }),
  ],
  [
    "on-ish, above T_x",
    chipState({ x: 0.85, w: 0.9e-9, rise: 20, cellTemperature: 450, fraction: 0.6, ambient: 0.3 }),
  ],
] as const;
const GRID_DRIVES = [
  ["all open", { heater: open, heaterLine: open, memristor: open }],
  ["voltages", { heater: voltage(1.2), heaterLine: voltage(0.7, 0.1), memristor: voltage(-0.9, 0.01) }],
  ["currents", { heater: current(1e-3, 10), heaterLine: current(-0.3e-3, 10), memristor: current(40e-6, 5) }],
  [
    "voltages at compliance",
    { heater: voltage(1.8, 1e-3), heaterLine: voltage(1.5, 0.2e-3), memristor: voltage(-1.1, 20e-6) },
  ],
] as const;
const GRID: readonly (readonly [string, Case])[] = GRID_STATES.flatMap(([stateName, state]) =>
  GRID_DRIVES.map(
    ([driveName, drives]) =>
      [`grid: ${stateName}, ${driveName}`, { params: demoChipTruth, state, drives, dt: 2e-4 }] as const,
  ),
);

/** Central differences (Richardson) of f over every state entry and parameter: columns of [state | params]. */
function finiteDifferences(
  c: Case,
  f: (reference: ChipReference, state: Float64Array) => Float64Array,
): { value: Float64Array; columns: Float64Array[]; steps: number[] } {
  const vector = chipParameterVector(c.params);
  const value = f(new ChipReference(vector), Float64Array.from(c.state));
  const columns: Float64Array[] = [];
  const steps: number[] = [];
  const difference = (evaluate: (delta: number) => Float64Array, h: number) => {
    const d = (step: number) => {
      const plus = evaluate(step);
      const minus = evaluate(-step);
      return plus.map((v, i) => (v - (minus[i] as number)) / (2 * step));
    };
    const full = d(h);
    const half = d(h / 2);
    return half.map((v, i) => (4 * v - (full[i] as number)) / 3);
  };
  for (let j = 0; j < L.STATE_SIZE; j++) {
    const h = 1e-4 * Math.max(Math.abs(c.state[j] as number), 1e-3 * (STATE_SCALES[j] as number));
    steps.push(h);
    columns.push(
      difference((delta) => {
        const s = Float64Array.from(c.state);
        s[j] = (s[j] as number) + delta;
        return f(new ChipReference(vector), s);
      }, h),
    );
  }
  chipParameters.forEach((spec, k) => {
    const value = Math.abs(vector[k] as number);
    const h = 1e-4 * (value > 0 ? value : 1e-3 * (spec.max - spec.min));
    steps.push(h);
    columns.push(
      difference((delta) => {
        const q = Float64Array.from(vector);
        q[k] = (q[k] as number) + delta;
        return f(new ChipReference(q), Float64Array.from(c.state));
      }, h),
    );
  });
  return { value, columns, steps };
}

/** Compares analytic [dState | dParams] (rows × (6 + 63)) with the differences, entry by entry. */
function expectMatches(
  rows: number,
  dState: Float64Array,
  dParams: Float64Array,
  numeric: ReturnType<typeof finiteDifferences>,
  names: readonly string[],
): void {
  const failures: string[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < L.STATE_SIZE + L.PARAMETER_COUNT; j++) {
      const analytic =
        j < L.STATE_SIZE
          ? (dState[i * L.STATE_SIZE + j] as number)
          : (dParams[i * L.PARAMETER_COUNT + j - L.STATE_SIZE] as number);
      const fd = (numeric.columns[j] as Float64Array)[i] as number;
      const floor = roundingFloor([numeric.value[i] as number], numeric.steps[j] as number, TOLERANCE);
      const error = analytic === fd ? 0 : Math.abs(analytic - fd) / Math.max(Math.abs(analytic), floor);
      if (!(error <= TOLERANCE)) {
        const column = j < L.STATE_SIZE ? `state[${j}]` : (chipParameters[j - L.STATE_SIZE]?.name as string);
        failures.push(
          `∂${names[i]}/∂${column}: analytic ${analytic}, numeric ${fd} (error ${error.toExponential(1)})`,
        );
      }
    }
  }
  expect(failures).toEqual([]);
}

const STATE_NAMES = ["x", "w", "ΔT_h", "T_c", "X", "ΔT_amb"];
const ELECTRICAL_NAMES = [
  "V_heater",
  "I_heater",
  "V_line",
  "I_line",
  "V_memristor",
  "I_memristor",
  "P_heater",
];

describe.each(["ts", "wasm"] as const)("%s backend", (backend) => {
  const chipOf = (params: ChipParams) => createDemoChipBackend({ backend, params, core });

  it.each([...CASES, ...GRID])("step Jacobian: %s", (_name, c) => {
    const stimulus = chipStimulus(c.drives);
    const numeric = finiteDifferences(c, (reference, s) => {
      reference.step(s, stimulus, c.dt);
      return s;
    });
    const chip = chipOf(c.params);
    const state = Float64Array.from(c.state);
    const dState = new Float64Array(L.STATE_SIZE * L.STATE_SIZE);
    const dParams = new Float64Array(L.STATE_SIZE * L.PARAMETER_COUNT);
    chip.stepJacobian(state, stimulus, c.dt, dState, dParams);
    chip.release();
    // The Jacobian step moves the state as a plain step does.
    expect(Array.from(state)).toEqual(Array.from(numeric.value));
    expectMatches(L.STATE_SIZE, dState, dParams, numeric, STATE_NAMES);
  });

  it.each([...CASES, ...GRID])("electrical observables' Jacobian: %s", (_name, c) => {
    const stimulus = chipStimulus(c.drives);
    const numeric = finiteDifferences(c, (reference, s) => {
      const out = new Float64Array(L.ELECTRICAL_OUTPUT_SIZE);
      reference.electrical(s, stimulus, out);
      return out.subarray(0, L.ELECTRICAL_SIZE);
    });
    const chip = chipOf(c.params);
    const dState = new Float64Array(L.ELECTRICAL_SIZE * L.STATE_SIZE);
    const dParams = new Float64Array(L.ELECTRICAL_SIZE * L.PARAMETER_COUNT);
    chip.electricalJacobian(Float64Array.from(c.state), stimulus, dState, dParams);
    chip.release();
    expectMatches(L.ELECTRICAL_SIZE, dState, dParams, numeric, ELECTRICAL_NAMES);
  });

  it.each([
    ["ring", 1.5512e-6, 0],
    ["ring", 1.5497e-6, 3],
    ["ring", 1.5503e-6, 5],
    ["reference", 1.5431e-6, 1],
  ] as const)("%s transmission's gradient at %d m (case %d)", (path, wavelength, index) => {
    const c = (CASES[index] as readonly [string, Case])[1];
    const code = path === "ring" ? L.RING_PATH : L.REFERENCE_PATH;
    const numeric = finiteDifferences(c, (reference, s) =>
      Float64Array.of(reference.transmission(s, wavelength, code)),
    );
    const chip = chipOf(c.params);
    const dState = new Float64Array(L.STATE_SIZE);
    const dParams = new Float64Array(L.PARAMETER_COUNT);
    const value = chip.transmissionGradient(Float64Array.from(c.state), wavelength, path, dState, dParams);
    chip.release();
    expect(Math.abs(value - (numeric.value[0] as number))).toBeLessThanOrEqual(1e-12 * value);
    expectMatches(1, dState, dParams, numeric, [`T_${path}`]);
  });
});
