/**
 * Netlists against closed forms: what a composition must reproduce exactly
 * (to rounding) when the closed form is the same physics — waveguides in
 * series, a coupler closed on a waveguide loop (the all-pass ring), two
 * couplers and two half loops (the add-drop ring), two couplers and phase
 * shifters (the MZI) — plus the S[out][in] convention through a
 * non-reciprocal part, nesting, the gradient through the solve, and the
 * errors a malformed netlist gets.
 */
import { describe, expect, it } from "vitest";
import { compileNetlist, type Netlist, NetlistError } from "../../../src/models/circuit/index.js";
import { ParameterRangeError, UnknownParameterError } from "../../../src/models/parameters.js";
import {
  type AddDropParams,
  type AllPassParams,
  coupler,
  entry,
  gratingCoupler,
  gratingEfficiency,
  mzi,
  type PhotonicModel,
  patternModel,
  resonanceOrder,
  resonanceWavelength,
  ringAddDrop,
  ringAllPass,
  thermalPhaseShifter,
  waveguide,
} from "../../../src/models/photonic/index.js";
import { expectGradientMatches, parameterRows } from "../photonic/support/gradient.js";

const models = { coupler, waveguide, phaseShifter: thermalPhaseShifter, gratingCoupler };

/** Largest |difference| between two S-matrices' entries. */
function distance(a: { data: Float64Array }, b: { data: Float64Array }): number {
  return Math.max(...a.data.map((x, k) => Math.abs(x - (b.data[k] as number))));
}

/** A waveguide of length L passing amplitude `amplitude` (loss in dB/m from it). */
function loop(length: number, amplitude: number, p: AllPassParams | AddDropParams) {
  return {
    model: "waveguide",
    params: {
      length,
      propagationLossDbPerM: (-20 * Math.log10(amplitude)) / length,
      effectiveIndex: p.effectiveIndex,
      groupIndex: p.groupIndex,
      referenceWavelength: p.referenceWavelength,
    },
  };
}

function allPassNetlist(p: AllPassParams): Netlist {
  return {
    instances: {
      bus: { model: "coupler", params: { coupling: 1 - p.selfCoupling ** 2 } },
      loop: loop(p.circumference, p.roundTripAmplitude, p),
    },
    connections: [
      ["bus,out1", "loop,in"],
      ["loop,out", "bus,in1"],
    ],
    ports: { in: "bus,in0", out: "bus,out0" },
  };
}

const allPass = { ...ringAllPass.defaults, selfCoupling: 0.97, roundTripAmplitude: 0.985 };
const resonance = resonanceWavelength(allPass, resonanceOrder(allPass, 1.55e-6));
const sweep = Array.from({ length: 201 }, (_, k) => resonance - 1e-9 + k * 10e-12);

describe("netlists against closed forms", () => {
  it("two waveguides in series equal one of their summed length", () => {
    const circuit = compileNetlist(
      {
        instances: {
          a: { model: "waveguide", params: { length: 30e-6 } },
          b: { model: "waveguide", params: { length: 45e-6 } },
        },
        connections: [["a,out", "b,in"]],
        ports: { in: "a,in", out: "b,out" },
      },
      models,
    );
    for (const λ of [1.5e-6, 1.55e-6, 1.61e-6]) {
      const one = waveguide.sMatrix({ ...waveguide.defaults, length: 75e-6 }, λ);
      expect(distance(circuit.evaluate(circuit.defaults, λ), one)).toBeLessThan(1e-12);
    }
  });

  it.each([
    [0.97, 0.985],
    [0.99, 0.99],
    [0.9, 0.999],
  ])("a coupler (r = %d) closed on a waveguide loop (a = %d) is the all-pass ring to 1e-12", (r, a) => {
    const p = { ...allPass, selfCoupling: r, roundTripAmplitude: a };
    const circuit = compileNetlist(allPassNetlist(p), models, "ring");
    const at = resonanceWavelength(p, resonanceOrder(p, 1.55e-6));
    for (let k = -100; k <= 100; k++) {
      const λ = at + k * 10e-12;
      expect(distance(circuit.evaluate(circuit.defaults, λ), ringAllPass.sMatrix(p, λ))).toBeLessThan(1e-12);
    }
  });

  it("two couplers and two half loops are the add-drop ring to 1e-12", () => {
    const p: AddDropParams = {
      ...ringAddDrop.defaults,
      selfCoupling1: 0.96,
      selfCoupling2: 0.93,
      roundTripAmplitude: 0.99,
    };
    const half = p.circumference / 2;
    const circuit = compileNetlist(
      {
        instances: {
          lower: { model: "coupler", params: { coupling: 1 - p.selfCoupling1 ** 2 } },
          upper: { model: "coupler", params: { coupling: 1 - p.selfCoupling2 ** 2 } },
          right: loop(half, Math.sqrt(p.roundTripAmplitude), p),
          left: loop(half, Math.sqrt(p.roundTripAmplitude), p),
        },
        // The lower coupler's cross output climbs the right half to the upper coupler's
        // input 1; the upper coupler's cross output (out1, bus travelling left) descends the left half.
        connections: [
          ["lower,out1", "right,in"],
          ["right,out", "upper,in1"],
          ["upper,out1", "left,in"],
          ["left,out", "lower,in1"],
        ],
        ports: { in: "lower,in0", through: "lower,out0", add: "upper,in0", drop: "upper,out0" },
      },
      models,
      "add-drop",
    );
    for (const λ of sweep) {
      expect(distance(circuit.evaluate(circuit.defaults, λ), ringAddDrop.sMatrix(p, λ))).toBeLessThan(1e-12);
    }
  });

  it("two couplers and two phase shifters are the MZI to 1e-12", () => {
    const [theta, phi] = [1.1, -0.4];
    const pPi = thermalPhaseShifter.defaults.piPower;
    const shifter = (phase: number) => ({
      model: "phaseShifter",
      params: {
        insertionLossDb: 0,
        heaterPower: (((phase % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) * (pPi / Math.PI),
      },
    });
    const circuit = compileNetlist(
      {
        instances: {
          external: shifter(phi),
          first: { model: "coupler", params: { coupling: 0.45 } },
          internal: shifter(theta),
          second: { model: "coupler", params: { coupling: 0.52 } },
        },
        connections: [
          ["external,out", "first,in0"],
          ["first,out0", "internal,in"],
          ["internal,out", "second,in0"],
          ["first,out1", "second,in1"],
        ],
        ports: { in0: "external,in", in1: "first,in1", out0: "second,out0", out1: "second,out1" },
      },
      models,
      "mzi",
    );
    const expected = mzi.sMatrix(
      { coupling1: 0.45, coupling2: 0.52, excessLossDb: 0, internalPhase: theta, externalPhase: phi },
      1.55e-6,
    );
    expect(distance(circuit.evaluate(circuit.defaults, 1.55e-6), expected)).toBeLessThan(1e-12);
  });
});

describe("the circuit is a model of the same shape", () => {
  it("reads S[out][in] as out ← in: a chain of isolators passes forward only", () => {
    const isolator: PhotonicModel<{ transmission: number }> = patternModel({
      id: "isolator",
      citation: "test part",
      ports: ["in", "out"],
      parameters: [
        { name: "transmission", unit: "1", default: 0.9, min: 0, max: 1, meaning: "forward field" },
      ],
      pattern: [["out", "in", 0]],
      entries: (p) => ({ values: [{ re: p.transmission, im: 0 }], partials: [[{ re: 1, im: 0 }]] }),
    });
    const circuit = compileNetlist(
      {
        instances: { a: { model: "isolator" }, b: { model: "isolator", params: { transmission: 0.5 } } },
        connections: [["a,out", "b,in"]],
        ports: { in: "a,in", out: "b,out" },
      },
      { isolator },
    );
    const s = circuit.evaluate(circuit.defaults, 1.55e-6);
    expect(entry(s, "out", "in")).toEqual({ re: 0.45, im: 0 });
    expect(entry(s, "in", "out")).toEqual({ re: 0, im: 0 });
  });

  it("names its parameters instance.parameter, with the netlist's values as defaults", () => {
    const circuit = compileNetlist(allPassNetlist(allPass), models, "ring");
    expect(circuit.parameters.map((s) => s.name)).toEqual([
      ...coupler.parameters.map((s) => `bus.${s.name}`),
      ...waveguide.parameters.map((s) => `loop.${s.name}`),
    ]);
    expect(circuit.defaults["bus.coupling"]).toBeCloseTo(1 - 0.97 ** 2, 15);
    expect(circuit.defaults["bus.excessLossDb"]).toBe(0);
  });

  it("nests: a ring circuit between two grating couplers transmits η·t", () => {
    const ring = compileNetlist(allPassNetlist(allPass), models, "ring");
    const chip = compileNetlist(
      {
        instances: {
          gcIn: { model: "gratingCoupler" },
          ring: { model: "ring" },
          gcOut: { model: "gratingCoupler" },
        },
        connections: [
          ["gcIn,waveguide", "ring,in"],
          ["ring,out", "gcOut,waveguide"],
        ],
        ports: { in: "gcIn,fiber", out: "gcOut,fiber" },
      },
      { ...models, ring },
      "chip",
    );
    expect(chip.defaults["ring.loop.length"]).toBe(allPass.circumference);
    const λ = resonance + 30e-12;
    const t = entry(ringAllPass.sMatrix(allPass, λ), "out", "in");
    const η = gratingEfficiency(gratingCoupler.defaults, λ);
    const s = entry(chip.evaluate(chip.defaults, λ), "out", "in");
    expect(s.re).toBeCloseTo(η * t.re, 12);
    expect(s.im).toBeCloseTo(η * t.im, 12);
  });
});

describe("gradient through the solve", () => {
  const circuit = compileNetlist(allPassNetlist(allPass), models, "ring");
  const p = { ...circuit.defaults, "bus.excessLossDb": 0.05, "loop.length": allPass.circumference };
  it.each(parameterRows(circuit))("∂S/∂%s matches finite differences on a resonance flank", (_name, j) => {
    expectGradientMatches(circuit, p, resonance + 15e-12, j, 1e-6);
  });
});

describe("malformed netlists", () => {
  const good = allPassNetlist(allPass);
  it.each([
    [
      "an unknown model",
      { ...good, instances: { ...good.instances, bus: { model: "splitter" } } },
      /no model "splitter"/,
    ],
    [
      "an unknown port",
      { ...good, ports: { in: "bus,in7", out: "bus,out0" } },
      /bus has ports in0, in1, out0, out1/,
    ],
    ["an unknown instance", { ...good, ports: { in: "bux,in0", out: "bus,out0" } }, /not "instance,port"/],
    ["a port used twice", { ...good, ports: { in: "bus,in0", out: "bus,out1" } }, /bus,out1 is used twice/],
    [
      "an unknown parameter",
      { ...good, instances: { ...good.instances, bus: { model: "coupler", params: { kappa: 0.1 } } } },
      /no parameter "kappa"/,
    ],
  ] as const)("refuses %s", (_what, netlist, message) => {
    expect(() => compileNetlist(netlist as Netlist, models, "ring")).toThrow(NetlistError);
    expect(() => compileNetlist(netlist as Netlist, models, "ring")).toThrow(message);
  });

  it("refuses a default out of bounds, and a parameter out of bounds at evaluation", () => {
    const bad = {
      ...good,
      instances: { ...good.instances, bus: { model: "coupler", params: { coupling: 1.5 } } },
    };
    expect(() => compileNetlist(bad, models)).toThrow(ParameterRangeError);
    const circuit = compileNetlist(good, models);
    expect(() => circuit.evaluate({ ...circuit.defaults, "loop.length": -1 }, 1.55e-6)).toThrow(
      ParameterRangeError,
    );
  });

  it("refuses a parameter it does not declare at evaluation, rather than using the default in its place", () => {
    const circuit = compileNetlist(good, models, "ring");
    const misspelt = { ...circuit.defaults, "bus.coupilng": 0.2 };
    for (const run of [
      () => circuit.evaluate(misspelt, 1.55e-6),
      () => circuit.sMatrixWithGradient(misspelt, 1.55e-6),
    ]) {
      expect(run).toThrow(UnknownParameterError);
      expect(run).toThrow('ring: no parameter "bus.coupilng" (did you mean "bus.coupling"?)');
    }
  });

  it("refuses a wavelength where a waveguide's first-order n_eff(λ) is ≤ 0", () => {
    const circuit = compileNetlist(good, models, "ring");
    // loop: n_eff0 2.4, n_g 4.2 at 1.55 µm reach n_eff = 0 at 1.55 µm · 4.2/1.8 = 3.617 µm.
    expect(() => circuit.evaluate(circuit.defaults, 3.6e-6)).not.toThrow();
    expect(() => circuit.evaluate(circuit.defaults, 3.7e-6)).toThrow(/wavelength 0.0000037 m.*n_eff/);
  });
});
