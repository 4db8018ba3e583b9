/**
 * The demo chip's two backends (src/core/kernels/chip.ts): the WASM kernel
 * (src/core/assembly/chip.ts) against the TypeScript reference
 * (src/models/chip/dynamics.ts) over a whole session — thousands of steps
 * with changing drives, compliance on every port, the patch crystallising,
 * optical reads at many wavelengths — every output to 1e-12 of itself.
 * They run the same portable physics; only the phase-change step's
 * Math.exp/log/pow may differ in the last bit between the engines.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDemoChipBackend, type DemoChipBackend } from "../../src/core/kernels/chip.js";
import { loadCore } from "../../src/core/load-node.js";
import type { Core } from "../../src/core/wasm.js";
import {
  chipDefaults,
  chipInitialState,
  chipStimulus,
  demoChipTruth,
  chipLayout as L,
  setDrive,
} from "../../src/models/chip/index.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import { close, current, open, STATE_FLOORS, sessionDrives, voltage } from "../models/chip/support.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const TOLERANCE = 1e-12;

describe("WASM = TypeScript reference over a session", () => {
  it.each([
    ["truth", demoChipTruth],
    ["defaults", chipDefaults],
  ])("%s parameters: 4000 steps at 10 kS/s and 40 long ones", (_name, chip) => {
    // The demo chip's patch anneals in seconds (src/models/chip/parameters.ts); the session lasts 0.6 s,
    // so its kinetics run 10⁴ times faster here, for both backends to take the crystallising branch.
    const params = { ...chip, "cell.prefactor": 1e4 * (chip["cell.prefactor"] as number) };
    const wasm = createDemoChipBackend({ backend: "wasm", params, core });
    const ts = createDemoChipBackend({ backend: "ts", params });
    const a = chipInitialState(params);
    const b = chipInitialState(params);
    const stimulus = chipStimulus();
    const [outA, outB] = [
      new Float64Array(L.ELECTRICAL_OUTPUT_SIZE),
      new Float64Array(L.ELECTRICAL_OUTPUT_SIZE),
    ];
    const seen = { limited: [0, 0, 0], crystallised: false, reads: 0 };
    const fail = (what: string, k: number, x: number, y: number) =>
      expect.fail(`step ${k}: ${what}: wasm ${x} vs ts ${y}`);
    for (let k = 0; k < 4040; k++) {
      sessionDrives(k, stimulus);
      const dt = k < 4000 ? 1e-4 : 5e-3;
      wasm.step(a, stimulus, dt);
      ts.step(b, stimulus, dt);
      for (let i = 0; i < L.STATE_SIZE; i++) {
        if (!close(a[i] as number, b[i] as number, TOLERANCE, STATE_FLOORS[i]))
          fail(`state[${i}]`, k, a[i] as number, b[i] as number);
      }
      wasm.electrical(a, stimulus, outA);
      ts.electrical(b, stimulus, outB);
      for (let o = 0; o < L.ELECTRICAL_OUTPUT_SIZE; o++) {
        if (!close(outA[o] as number, outB[o] as number, TOLERANCE, 1e-15))
          fail(`electrical[${o}]`, k, outA[o] as number, outB[o] as number);
      }
      for (const [port, flag] of [L.HEATER_LIMITED, L.LINE_LIMITED, L.MEMRISTOR_LIMITED].entries()) {
        seen.limited[port] = (seen.limited[port] as number) + (outA[flag] as number);
      }
      seen.crystallised ||= (a[L.CELL_FRACTION] as number) > 0.5;
      if (k % 4 === 0) {
        const wavelength = 1.53e-6 + ((k * 37) % 4000) * 1e-11;
        for (const path of ["ring", "reference"] as const) {
          const x = wasm.transmission(a, wavelength, path);
          const y = ts.transmission(b, wavelength, path);
          if (!close(x, y, TOLERANCE)) fail(`${path} transmission at ${wavelength} m`, k, x, y);
          seen.reads++;
        }
      }
    }
    // The session went through what it is meant to.
    expect(
      seen.limited.map((n) => n > 10),
      `limited steps ${seen.limited}`,
    ).toEqual([true, true, true]);
    expect(seen.crystallised).toBe(true);
    expect(seen.reads).toBe(2020);
    wasm.release();
  });
});

describe("Jacobians agree between the backends", () => {
  it("step, electrical and optical Jacobians along the session", () => {
    const params = demoChipTruth;
    const wasm = createDemoChipBackend({ backend: "wasm", params, core });
    const ts = createDemoChipBackend({ backend: "ts", params });
    const a = chipInitialState(params);
    const b = chipInitialState(params);
    const stimulus = chipStimulus();
    const arrays = (rows: number) =>
      [new Float64Array(rows * 6), new Float64Array(rows * L.PARAMETER_COUNT)] as const;
    const [sa, pa] = arrays(6);
    const [sb, pb] = arrays(6);
    const [ea, fa] = arrays(7);
    const [eb, fb] = arrays(7);
    const [ta, ua] = arrays(1);
    const [tb, ub] = arrays(1);
    const compare = (what: string, x: Float64Array, y: Float64Array) => {
      const scale = Math.max(...Array.from(y, Math.abs));
      for (let k = 0; k < x.length; k++) {
        if (!close(x[k] as number, y[k] as number, TOLERANCE, 1e-9 * scale)) {
          expect.fail(`${what}[${k}]: wasm ${x[k]} vs ts ${y[k]}`);
        }
      }
    };
    for (let k = 0; k < 1500; k += 1) {
      sessionDrives(k, stimulus);
      if (k % 50 !== 0) {
        wasm.step(a, stimulus, 1e-4);
        ts.step(b, stimulus, 1e-4);
        continue;
      }
      wasm.stepJacobian(a, stimulus, 3e-4, sa, pa);
      ts.stepJacobian(b, stimulus, 3e-4, sb, pb);
      compare("dState", sa, sb);
      compare("dParams", pa, pb);
      wasm.electricalJacobian(a, stimulus, ea, fa);
      ts.electricalJacobian(b, stimulus, eb, fb);
      compare("electrical dState", ea, eb);
      compare("electrical dParams", fa, fb);
      for (const path of ["ring", "reference"] as const) {
        wasm.transmissionGradient(a, 1.55e-6 + k * 1e-12, path, ta, ua);
        ts.transmissionGradient(b, 1.55e-6 + k * 1e-12, path, tb, ub);
        compare(`${path} dState`, ta, tb);
        compare(`${path} dParams`, ua, ub);
      }
    }
    wasm.release();
  });
});

describe("WASM = TypeScript reference on steps taken whole", () => {
  it("long steps, the heater line mostly open: the patch cold and past T_x, the memristor within and into its limit", () => {
    // Steps of 1–20 ms: the standalone memristor held whole (open, or a voltage within its limit) or split (a
    // voltage into its limit, a current); the rest whole while the patch stays cold, split once the heater
    // takes it past T_x or the heater line is driven (src/models/chip/dynamics.ts). Every fifth a Jacobian step.
    const params = demoChipTruth;
    const wasm = createDemoChipBackend({ backend: "wasm", params, core });
    const ts = createDemoChipBackend({ backend: "ts", params });
    const a = chipInitialState(params);
    const b = chipInitialState(params);
    const stimulus = chipStimulus();
    const [sa, sb] = [new Float64Array(36), new Float64Array(36)];
    const [pa, pb] = [new Float64Array(6 * L.PARAMETER_COUNT), new Float64Array(6 * L.PARAMETER_COUNT)];
    const agree = (
      what: string,
      k: number,
      x: Float64Array,
      y: Float64Array,
      floors: (i: number) => number,
    ) => {
      for (let i = 0; i < x.length; i++) {
        if (!close(x[i] as number, y[i] as number, TOLERANCE, floors(i)))
          expect.fail(`step ${k}: ${what}[${i}]: wasm ${x[i]} vs ts ${y[i]}`);
      }
    };
    let crystallised = false;
    for (let k = 0; k < 120; k++) {
      setDrive(stimulus, "heater", voltage(k % 20 < 12 ? 1.2 : 2, 0.1));
      setDrive(stimulus, "heaterLine", k % 15 === 14 ? current(0.5e-3, 4) : open);
      setDrive(
        stimulus,
        "memristor",
        k % 9 === 8 ? current(-40e-6, 5) : k % 6 === 5 ? open : voltage(k % 4 < 2 ? -1.1 : 1.1, 70e-6),
      );
      const dt = 1e-3 * (1 + ((k * 7) % 20));
      if (k % 5 === 0) {
        wasm.stepJacobian(a, stimulus, dt, sa, pa);
        ts.stepJacobian(b, stimulus, dt, sb, pb);
        const scale = (x: Float64Array) => 1e-9 * Math.max(...Array.from(x, Math.abs));
        agree("dState", k, sa, sb, () => scale(sb));
        agree("dParams", k, pa, pb, () => scale(pb));
      } else {
        wasm.step(a, stimulus, dt);
        ts.step(b, stimulus, dt);
      }
      agree("state", k, a, b, (i) => STATE_FLOORS[i] as number);
      crystallised ||= (a[L.CELL_FRACTION] as number) > 0.5;
    }
    expect(crystallised).toBe(true);
    wasm.release();
  });
});

describe("a step of days", () => {
  it("is taken whole alike on both backends: the memristor at -0.8 V for 3·10⁵ s (3·10⁹ substeps' worth) saturates on", () => {
    const params = demoChipTruth;
    const stimulus = chipStimulus({ memristor: voltage(-0.8) });
    const results = (["wasm", "ts"] as const).map((backend) => {
      const chip = createDemoChipBackend({ backend, params, ...(backend === "wasm" && { core }) });
      const state = chipInitialState(params);
      chip.step(state, stimulus, 3e5);
      chip.release();
      return state;
    });
    const [wasm, ts] = results as [Float64Array, Float64Array];
    expect(Array.from(wasm)).toEqual(Array.from(ts));
    expect(wasm[L.STANDALONE_STATE]).toBeCloseTo(params["standalone.wOn"] as number, 15);
  });
});

describe("the seam", () => {
  it("checks the parameters once, on both backends, with the model's error", () => {
    const bad = { ...chipDefaults, "cell.heatingShare": 1.5 };
    expect(() => createDemoChipBackend({ backend: "ts", params: bad })).toThrow(ParameterRangeError);
    expect(() => createDemoChipBackend({ backend: "wasm", params: bad, core })).toThrow(ParameterRangeError);
    expect(() => createDemoChipBackend({ backend: "wasm", params: chipDefaults })).toThrow(/needs a core/);
  });

  it.each(["ts", "wasm"] as const)(
    "%s: refuses a bad state, stimulus and dt; a released backend throws",
    (backend) => {
      const chip: DemoChipBackend = createDemoChipBackend({ backend, params: chipDefaults, core });
      const state = chipInitialState(chipDefaults);
      const stimulus = chipStimulus();
      expect(() => chip.step(state, stimulus, -1)).toThrow(RangeError);
      const badState = Float64Array.from(state);
      badState[L.CELL_FRACTION] = 1.2;
      expect(() => chip.step(badState, stimulus, 1e-3)).toThrow(/crystalline fraction/);
      const badStimulus = Float64Array.from(stimulus);
      badStimulus[L.HEATER_PORT] = 7;
      expect(() => chip.step(state, badStimulus, 1e-3)).toThrow(/drive mode/);
      expect(() => chip.transmission(state, -1, "ring")).toThrow(RangeError);
      chip.release();
      if (backend === "wasm") expect(() => chip.step(state, stimulus, 1e-3)).toThrow(/released/);
    },
  );
});
