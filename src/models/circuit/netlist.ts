/**
 * A chip as a netlist of plain data, compiled once into a model of the
 * same shape as its parts (STYLE.md 6 and 7, after SAX's netlists and
 * backends, github.com/flaport/sax):
 *
 * ```ts
 * const ring = compileNetlist({
 *   instances: { bus: { model: "coupler", params: { coupling: 0.04 } }, loop: { model: "waveguide" } },
 *   connections: [["bus,out1", "loop,in"], ["loop,out", "bus,in1"]],
 *   ports: { in: "bus,in0", out: "bus,out0" },
 * }, { coupler, waveguide });
 * ring.sMatrix({ ...ring.defaults, "loop.length": 50e-6 }, 1.55e-6);
 * ```
 *
 * The circuit's parameters are the union of its instances' parameters,
 * named "instance.parameter", with the netlist's `params` as defaults.
 * Ports of instances that are neither connected nor exposed are matched
 * (nothing enters them; what leaves is lost).
 *
 * Solve: the connection-scattering-matrix method (Monaco & Tiberio,
 * "Computer-aided analysis of microwave circuits", IEEE Trans. MTT 22, 249
 * (1974); Filipsson, "A new general computer algorithm for S-matrix
 * calculation of interconnected multiports", 11th European Microwave
 * Conference, 1981), as SAX's KLU backend does it. With S the
 * block-diagonal matrix of all instances, its ports split into external
 * (E) and internal (I) ones, and C the symmetric permutation pairing
 * connected internal ports (a_I = C b_I):
 *
 *   S_circuit = S_EE + S_EI (I − C S_II)⁻¹ C S_IE.
 *
 * Gradient, differentiating the inverse (d M⁻¹ = M⁻¹ C dS_II M⁻¹, M = I − C S_II):
 *
 *   dS_circuit = dS_EE + dS_EI X + Y (dS_II X + dS_IE),   X = M⁻¹ C S_IE,  Y = S_EI M⁻¹ C,
 *
 * where only the instance owning the parameter contributes to the dS blocks.
 */
import { invert, multiply } from "../complex-matrix.js";
import { checkParameters, type ParameterSpec } from "../parameters.js";
import { checkWavelength, type PhotonicModel, type SMatrixGradient } from "../photonic/component.js";
import type { SMatrix } from "../photonic/s-matrix.js";

export interface NetlistInstance {
  /** Key of the model in the library passed to `compileNetlist`. */
  readonly model: string;
  /** Defaults for some of the model's parameters (the rest keep the model's). */
  readonly params?: Readonly<Record<string, number>>;
}

export interface Netlist {
  readonly instances: Readonly<Record<string, NetlistInstance>>;
  /** Pairs of "instance,port" joined by a connection (each port at most once). */
  readonly connections: readonly (readonly [string, string])[];
  /** The circuit's ports: name → "instance,port". */
  readonly ports: Readonly<Record<string, string>>;
}

/** Models a netlist may name, by key. */
export type ModelLibrary = Readonly<Record<string, PhotonicModel>>;

/** A compiled netlist: a PhotonicModel whose parameters are "instance.parameter". */
export interface Circuit extends PhotonicModel<Record<string, number>> {
  readonly netlist: Netlist;
  /** S at `wavelength` (the same as `sMatrix`). */
  evaluate(params: Readonly<Record<string, number>>, wavelength: number): SMatrix;
}

/** A netlist that names what does not exist or connects a port twice. */
export class NetlistError extends Error {
  constructor(
    readonly circuit: string,
    detail: string,
  ) {
    super(`${circuit}: ${detail}`);
    this.name = "NetlistError";
  }
}

/** Thrown when I − C·S_int is singular: a lossless cavity driven exactly on resonance. */
export class SingularCircuitError extends Error {
  constructor(readonly circuit: string) {
    super(
      `${circuit}: the internal connections form a lossless resonance at this wavelength (I − C·S is singular)`,
    );
    this.name = "SingularCircuitError";
  }
}

const EE = 0;
const EI = 1;
const IE = 2;
const II = 3;

interface CompiledInstance {
  readonly model: PhotonicModel;
  /** Circuit parameter names of the model's parameters, in the model's order. */
  readonly keys: readonly string[];
  /** Triples [local entry i·n + j, block, entry in the block] for every kept entry of its S. */
  readonly slots: Int32Array;
}

/** Analyses `netlist` once (names, index maps, parameter union) and returns the circuit model. */
export function compileNetlist(netlist: Netlist, models: ModelLibrary, id = "circuit"): Circuit {
  const fail = (detail: string): never => {
    throw new NetlistError(id, detail);
  };
  const names = Object.keys(netlist.instances);
  const instanceModels = names.map((name) => {
    const key = (netlist.instances[name] as NetlistInstance).model;
    return Object.hasOwn(models, key)
      ? (models[key] as PhotonicModel)
      : fail(`instance ${name}: no model "${key}"`);
  });

  // Roles of instance ports: external (index into ports) or internal (index into the connected set).
  const role = new Map<string, readonly [kind: "E" | "I", index: number]>();
  const claim = (reference: string, what: string, kind: "E" | "I", index: number) => {
    const parts = reference.split(",");
    const [instance, port] = parts;
    const at = names.indexOf(instance ?? "");
    if (parts.length !== 2 || at < 0)
      fail(`${what} "${reference}" is not "instance,port" of a known instance`);
    if (!instanceModels[at]?.ports.includes(port as string)) {
      fail(`${what} "${reference}": ${instance} has ports ${instanceModels[at]?.ports.join(", ")}`);
    }
    const key = `${instance},${port}`;
    if (role.has(key)) fail(`port ${key} is used twice`);
    role.set(key, [kind, index]);
  };
  const externalNames = Object.keys(netlist.ports);
  externalNames.forEach((name, e) => {
    claim(netlist.ports[name] as string, `port ${name}`, "E", e);
  });
  const partner: number[] = [];
  netlist.connections.forEach(([from, to], c) => {
    claim(from, "connection", "I", 2 * c);
    claim(to, "connection", "I", 2 * c + 1);
    partner.push(2 * c + 1, 2 * c);
  });
  const nE = externalNames.length;
  const nI = partner.length;
  const width = [nE, nI, nE, nI];

  const parameters: ParameterSpec[] = [];
  const instances: CompiledInstance[] = names.map((name, at) => {
    const model = instanceModels[at] as PhotonicModel;
    const overrides = netlist.instances[name]?.params ?? {};
    for (const key of Object.keys(overrides)) {
      if (!model.parameters.some((s) => s.name === key)) {
        fail(`instance ${name}: model ${model.id} has no parameter "${key}"`);
      }
    }
    for (const spec of model.parameters) {
      parameters.push({
        ...spec,
        name: `${name}.${spec.name}`,
        default: overrides[spec.name] ?? spec.default,
        meaning: `${name}: ${spec.meaning}`,
      });
    }
    const n = model.ports.length;
    const slots: number[] = [];
    model.ports.forEach((out, i) => {
      const row = role.get(`${name},${out}`);
      model.ports.forEach((input, j) => {
        const column = role.get(`${name},${input}`);
        if (!row || !column) return;
        const block = row[0] === "E" ? (column[0] === "E" ? EE : EI) : column[0] === "E" ? IE : II;
        slots.push(i * n + j, block, row[1] * (width[block] as number) + column[1]);
      });
    });
    return {
      model,
      keys: model.parameters.map((s) => `${name}.${s.name}`),
      slots: Int32Array.from(slots),
    };
  });
  const defaults = Object.freeze(Object.fromEntries(parameters.map((s) => [s.name, s.default])));
  checkParameters(id, parameters, defaults);

  const blockSizes = [nE * nE, nE * nI, nI * nE, nI * nI];
  const emptyBlocks = () => blockSizes.map((size) => new Float64Array(2 * size));
  const scatter = (blocks: Float64Array[], instance: CompiledInstance, s: Float64Array) => {
    const { slots } = instance;
    for (let k = 0; k < slots.length; k += 3) {
      const from = 2 * (slots[k] as number);
      const block = blocks[slots[k + 1] as number] as Float64Array;
      const to = 2 * (slots[k + 2] as number);
      block[to] = s[from] as number;
      block[to + 1] = s[from + 1] as number;
    }
  };
  const instanceParams = (instance: CompiledInstance, params: Readonly<Record<string, number>>) =>
    Object.fromEntries(
      instance.model.parameters.map((s, l) => [s.name, params[instance.keys[l] as string] as number]),
    );

  /** X = M⁻¹ C S_IE, S = S_EE + S_EI X, and M⁻¹ for the gradient. */
  const solve = (blocks: Float64Array[]) => {
    const sII = blocks[II] as Float64Array;
    const sIE = blocks[IE] as Float64Array;
    const m = new Float64Array(2 * nI * nI);
    const rhs = new Float64Array(2 * nI * nE);
    for (let k = 0; k < nI; k++) {
      const from = partner[k] as number;
      for (let j = 0; j < nI; j++) {
        m[2 * (k * nI + j)] = (k === j ? 1 : 0) - (sII[2 * (from * nI + j)] as number);
        m[2 * (k * nI + j) + 1] = -(sII[2 * (from * nI + j) + 1] as number);
      }
      rhs.set(sIE.subarray(2 * from * nE, 2 * (from + 1) * nE), 2 * k * nE);
    }
    const inverse = invert(m, nI);
    if (inverse === undefined) throw new SingularCircuitError(id);
    const x = multiply(inverse, rhs, nI, nI, nE);
    const s = multiply(blocks[EI] as Float64Array, x, nE, nI, nE);
    const sEE = blocks[EE] as Float64Array;
    for (let k = 0; k < s.length; k++) s[k] = (s[k] as number) + (sEE[k] as number);
    return { s, x, inverse };
  };

  const check = (params: Readonly<Record<string, number>>, wavelength: number) => {
    checkParameters(id, parameters, params);
    checkWavelength(id, wavelength);
  };

  const sMatrix = (params: Readonly<Record<string, number>>, wavelength: number): SMatrix => {
    check(params, wavelength);
    const blocks = emptyBlocks();
    for (const instance of instances) {
      scatter(blocks, instance, instance.model.sMatrix(instanceParams(instance, params), wavelength).data);
    }
    return { ports: externalNames, data: solve(blocks).s };
  };

  return {
    id,
    citation:
      "connection-scattering-matrix solve (Monaco & Tiberio 1974; Filipsson 1981), as SAX's KLU backend",
    ports: externalNames,
    parameters,
    defaults,
    netlist,
    sMatrix,
    evaluate: sMatrix,
    sMatrixWithGradient(params, wavelength): SMatrixGradient {
      check(params, wavelength);
      const blocks = emptyBlocks();
      const local = instances.map((instance) => {
        const result = instance.model.sMatrixWithGradient(instanceParams(instance, params), wavelength);
        scatter(blocks, instance, result.s.data);
        return result.gradient;
      });
      const { s, x, inverse } = solve(blocks);
      // Y = (S_EI M⁻¹) C: column j of Y is column partner(j) of S_EI M⁻¹.
      const z = multiply(blocks[EI] as Float64Array, inverse, nE, nI, nI);
      const y = new Float64Array(z.length);
      for (let e = 0; e < nE; e++) {
        for (let j = 0; j < nI; j++) {
          const from = 2 * (e * nI + (partner[j] as number));
          y[2 * (e * nI + j)] = z[from] as number;
          y[2 * (e * nI + j) + 1] = z[from + 1] as number;
        }
      }
      const gradient: SMatrix[] = [];
      instances.forEach((instance, at) => {
        for (const dLocal of local[at] as readonly SMatrix[]) {
          const d = emptyBlocks();
          scatter(d, instance, dLocal.data);
          const inner = multiply(d[II] as Float64Array, x, nI, nI, nE);
          const dIE = d[IE] as Float64Array;
          for (let k = 0; k < inner.length; k++) inner[k] = (inner[k] as number) + (dIE[k] as number);
          const ds = multiply(y, inner, nE, nI, nE);
          const viaExternal = multiply(d[EI] as Float64Array, x, nE, nI, nE);
          const dEE = d[EE] as Float64Array;
          for (let k = 0; k < ds.length; k++) {
            ds[k] = (ds[k] as number) + (viaExternal[k] as number) + (dEE[k] as number);
          }
          gradient.push({ ports: externalNames, data: ds });
        }
      });
      return { s: { ports: externalNames, data: s }, gradient };
    },
  };
}
