/** The loader: where it finds the module, what it returns, and what it promises about memory. */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { coreWasmPath, findPackageRoot, loadCore } from "../../src/core/load-node.js";
import { vteamBatchReference } from "../../src/core/reference/vteam.js";
import { instantiateCore, MAX_BLOCK_BYTES } from "../../src/core/wasm.js";
import { vteam } from "../../src/models/memristor/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");

/** Three devices with the defaults, 50 steps of a shared ±1.2 V sine. */
function smallBatch(amplitude = 1.2) {
  const nDevices = 3;
  const nSteps = 50;
  const row = vteam.parameters.map((s) => s.default);
  return {
    params: Float64Array.from({ length: nDevices * row.length }, (_, n) => row[n % row.length] as number),
    x0: Float64Array.from({ length: nDevices }, (_, d) => (d + 1) * 0.7e-9),
    voltages: Float64Array.from({ length: nSteps }, (_, k) => amplitude * Math.sin(0.2 * k)),
    nSteps,
    dt: 0.02,
  };
}

describe("load-node", () => {
  it("finds the package root from src/ (and so from dist/src/) by the package name", () => {
    expect(findPackageRoot()).toBe(root);
    expect(findPackageRoot(join(root, "dist", "src", "core", "load-node.js"))).toBe(root);
    expect(coreWasmPath()).toBe(join(root, "build", "core.wasm"));
  });

  it("says to run npm run build:wasm when the module is missing", async () => {
    await expect(loadCore(join(root, "build", "no-such-core.wasm"))).rejects.toThrow(/npm run build:wasm/);
  });
});

describe("instantiateCore", () => {
  it("takes the module's bytes or a compiled Module", async () => {
    const bytes = readFileSync(coreWasmPath());
    const fromBytes = await instantiateCore(bytes);
    const fromModule = await instantiateCore(await WebAssembly.compile(bytes));
    const input = smallBatch();
    expect(fromBytes.vteamBatch(input).current.data).toEqual(fromModule.vteamBatch(input).current.data);
  });

  it("returns [nDevices, nSteps] ndarray views into WASM memory, without copying", async () => {
    const core = await loadCore();
    const input = smallBatch();
    const { state, current } = core.vteamBatch(input);
    expect(state.shape).toEqual([3, 50]);
    expect(current.shape).toEqual([3, 50]);
    expect(state.data.buffer).toBe(core.exports.memory.buffer);
    const reference = vteamBatchReference(input);
    expect(state.get(2, 49)).toBe(reference.state[2 * 50 + 49]);
    expect(current.get(1, 7)).toBe(reference.current[1 * 50 + 7]);
  });

  it("reuses the memory on the next call, as documented: copy what you keep", async () => {
    const core = await loadCore();
    const first = core.vteamBatch(smallBatch(1.2));
    const kept = first.current.data.slice();
    const second = core.vteamBatch(smallBatch(-1.2));
    expect(second.current.data.byteOffset).toBe(first.current.data.byteOffset);
    expect(first.current.data).toEqual(second.current.data);
    expect(kept).not.toEqual(second.current.data);
  });

  it("gives each loaded core its own memory", async () => {
    const [a, b] = await Promise.all([loadCore(), loadCore()]);
    expect(a.exports.memory).not.toBe(b.exports.memory);
  });

  it("grows memory for large batches and still agrees with the reference", async () => {
    const core = await loadCore();
    const before = core.exports.memory.buffer.byteLength;
    const nDevices = 200;
    const nSteps = 5000; // 2 × 8 MB of outputs: beyond the initial 1 MiB
    const row = vteam.parameters.map((s) => s.default);
    const input = {
      params: Float64Array.from({ length: nDevices * row.length }, (_, n) => row[n % row.length] as number),
      x0: new Float64Array(nDevices).fill(1.5e-9),
      voltages: Float64Array.from({ length: nSteps }, (_, k) => 1.2 * Math.sin(0.01 * k)),
      nSteps,
      dt: 0.002,
    };
    const { state } = core.vteamBatch(input);
    expect(core.exports.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(state.get(nDevices - 1, nSteps - 1)).toBe(vteamBatchReference(input).state[nDevices * nSteps - 1]);
  });
});

describe("Arena", () => {
  it.each([
    // Over the allocator's largest block (2³⁰ − 4 bytes): it would abort in the core.
    [
      (MAX_BLOCK_BYTES + 4) / 8,
      /an array of 134217728 f64 \(1073741824 bytes\) is over the 1073741820 bytes/,
    ],
    // 2³² bytes: as a usize, 0 — the core would hand out an empty block without a word.
    [2 ** 29, /an array of 536870912 f64/],
    [-1, /an array of -1 f64 is not an array size/],
    [1.5, /an array of 1.5 f64 is not an array size/],
  ])(
    "refuses to reserve %d f64 before asking the core, and the core keeps working",
    async (count, message) => {
      const core = await loadCore();
      expect(() => core.call((arena) => arena.reserve(count))).toThrow(message);
      expect(() => core.call((arena) => arena.reserve(count, "the test's array"))).toThrow(
        /the test's array of/,
      );
      const input = smallBatch();
      expect(core.vteamBatch(input).state.get(2, 49)).toBe(vteamBatchReference(input).state[2 * 50 + 49]);
    },
  );

  it("takes the largest block there is", async () => {
    const core = await loadCore();
    const count = Math.floor(MAX_BLOCK_BYTES / 8);
    const at = core.call((arena) => arena.reserve(count));
    expect(at % 16).toBe(0);
    expect(core.exports.memory.buffer.byteLength).toBeGreaterThanOrEqual(at + 8 * count);
  });
});

describe("browser safety", () => {
  it("wasm.ts and everything it imports use no Node API", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      for (const [, specifier] of source.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)) {
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^node:|^(fs|path|url|module)$/);
        if (specifier?.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      }
    };
    visit(join(root, "src", "core", "wasm.ts"));
    expect(seen.size).toBeGreaterThan(5);
  });
});
