/**
 * Resident arrays (Core.resident, `keep` in src/core/assembly/memory.ts):
 * data that stays in the core's memory across kernel calls, memory growth
 * and other residents' lifetimes, while the calls keep their arena above it.
 */
import { describe, expect, it } from "vitest";
import { loadCore } from "../../src/core/load-node.js";
import { vteamBatchReference } from "../../src/core/reference/vteam.js";
import { type Core, MAX_BLOCK_BYTES } from "../../src/core/wasm.js";
import { vteam } from "../../src/models/memristor/index.js";

const values = (n: number, seed: number) =>
  Float64Array.from({ length: n }, (_, k) => Math.sin(seed + 0.37 * k));

/** A call that allocates `count` f64 and fills them, as a kernel's outputs would be. */
function scribble(core: Core, count: number): number {
  return core.call((arena) => {
    const at = arena.reserve(count);
    arena.view(at, count).fill(-7);
    return at;
  });
}

describe("Core.resident", () => {
  it("keeps its values across calls, whose arena starts above it", async () => {
    const core = await loadCore();
    const a = core.resident(values(100, 1));
    const b = core.resident(values(33, 2));
    expect(b.address).toBeGreaterThanOrEqual(a.address + 100 * 8);
    expect(a.address % 16).toBe(0);
    expect(b.address % 16).toBe(0);
    for (let n = 0; n < 3; n++) {
      expect(scribble(core, 1000)).toBeGreaterThanOrEqual(b.address + 33 * 8);
      core.exports.reset(); // a raw reset keeps them too
    }
    expect(a.view()).toEqual(values(100, 1));
    expect(b.view()).toEqual(values(33, 2));
  });

  it("leaves the existing wrappers' results unchanged", async () => {
    const core = await loadCore();
    const row = vteam.parameters.map((s) => s.default);
    const input = {
      params: Float64Array.from(row),
      x0: Float64Array.of(1e-9),
      voltages: Float64Array.from({ length: 40 }, (_, k) => 1.2 * Math.sin(0.2 * k)),
      nSteps: 40,
      dt: 0.02,
    };
    const before = core.vteamBatch(input).state.data.slice();
    const kept = core.resident(values(500, 3));
    const after = core.vteamBatch(input);
    expect(after.state.data).toEqual(before);
    expect(after.state.data).toEqual(vteamBatchReference(input).state);
    expect(kept.view()).toEqual(values(500, 3));
  });

  it("stays at its address when the memory grows, and its view is made afresh", async () => {
    const core = await loadCore();
    const a = core.resident(values(64, 4));
    const first = a.view();
    const pages = core.exports.memory.buffer.byteLength;
    scribble(core, pages / 8 + 1_000_000); // more than the whole memory: it must grow
    expect(core.exports.memory.buffer.byteLength).toBeGreaterThan(pages);
    expect(first.length).toBe(0); // the old buffer is detached
    const second = a.view();
    expect(second === first).toBe(false);
    expect(second.byteOffset).toBe(a.address);
    expect(second).toEqual(values(64, 4));
    expect(a.view()).toBe(second); // no new view while the memory stays
  });

  it("lets kernels see writes made through its view", async () => {
    const core = await loadCore();
    const a = core.resident(values(4, 5));
    a.view()[2] = 42;
    const read = core.call((arena) => {
      const at = arena.place(Float64Array.of(1));
      return [arena.view(a.address, 4)[2], arena.view(at, 1)[0]];
    });
    expect(read).toEqual([42, 1]);
  });

  it("reuses the most recent resident's memory once released, and an older one's once those after it are", async () => {
    const core = await loadCore();
    const a = core.resident(values(10, 6));
    const b = core.resident(values(10, 7));
    const c = core.resident(values(10, 8));
    c.release();
    const d = core.resident(values(10, 9));
    expect(d.address).toBe(c.address); // the top is reused at once
    a.release(); // not the top: kept in place until b and d go
    expect(a.released).toBe(true);
    expect(() => a.view()).toThrow(/released/);
    const e = core.resident(values(10, 10));
    expect(e.address).toBeGreaterThan(d.address);
    expect(b.view()).toEqual(values(10, 7));
    b.release();
    b.release(); // no-op
    d.release();
    e.release(); // now nothing is live: the block is empty
    expect(scribble(core, 10)).toBeLessThanOrEqual(a.address + 16);
    const f = core.resident(values(10, 11));
    expect(f.address).toBe(a.address);
    expect(f.view()).toEqual(values(10, 11));
  });

  it("refuses a resident block over the allocator's largest, before asking the core, and keeps working", async () => {
    const core = await loadCore();
    const a = core.resident(values(100, 12));
    // 2²⁷ f64 = 2³⁰ bytes (+ a's 800): over MAX_BLOCK_BYTES. A lazily zeroed array: no GiB is touched.
    const huge = new Float64Array((MAX_BLOCK_BYTES + 4) / 8);
    expect(() => core.resident(huge)).toThrow(RangeError);
    expect(() => core.resident(huge)).toThrow(/resident block 1073742624 bytes, over the 1073741820/);
    expect(scribble(core, 10)).toBeGreaterThanOrEqual(a.address + 800);
    expect(a.view()).toEqual(values(100, 12));
    const b = core.resident(values(5, 13));
    expect(b.address).toBe(a.address + 800);
    expect(b.view()).toEqual(values(5, 13));
  });

  it("survives a raw keep the allocator refuses: the old block stays resident and reset still works", async () => {
    const core = await loadCore();
    const a = core.resident(values(3, 14));
    expect(() => core.exports.keep(2 ** 30 + 64)).toThrow(/WASM core aborted: Allocation too large/);
    core.exports.reset();
    expect(scribble(core, 1000)).toBeGreaterThanOrEqual(a.address + 3 * 8);
    expect(a.view()).toEqual(values(3, 14));
  });
});
