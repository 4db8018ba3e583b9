/**
 * Loads the WASM core and wraps its kernels in typed functions. Browser-safe:
 * no Node API here (load-node.ts reads the file from disk in Node).
 *
 * Each wrapper validates its input like the TypeScript reference does, then
 * resets the module's allocator, copies the inputs into linear memory, runs
 * the kernel and returns `ndarray` views of shape [nDevices, nSteps] over the
 * outputs, in place (zero-copy). A view is valid until the next kernel call
 * on the same Core, which reuses the memory, and becomes empty (detached) if
 * a later call grows the memory: copy what you keep (`view.data.slice()`).
 *
 * Resident arrays (`Core.resident`) are the exception: data a caller reuses
 * across calls (a programmed crossbar's conductances, a sampler's
 * parameters) stays in place below everything the calls allocate, until it
 * is released.
 */
import ndarray, { type NdArray } from "ndarray";
import { vteam } from "../models/memristor/index.js";
import { type BatchInput, checkBatch, type LinearIonDriftBatchInput, linearIonDriftModel } from "./batch.js";
import { WINDOW_BIOLEK, WINDOW_JOGLEKAR, WINDOW_NONE, WINDOW_PRODROMAKIS } from "./window-codes.js";

/** The module's raw exports: addresses and sizes are in bytes, arrays f64. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  /** Forgets every allocation except the resident block. */
  reset(): void;
  /** Sets the resident block's size, bytes (contents kept up to it); returns its address; resets. */
  keep(bytes: number): number;
  vteamBatch(
    nDevices: number,
    nSteps: number,
    params: number,
    x0: number,
    voltages: number,
    voltageStride: number,
    dt: number,
    state: number,
    current: number,
  ): void;
  linearIonDriftBatch(
    window: number,
    nDevices: number,
    nSteps: number,
    params: number,
    paramStride: number,
    x0: number,
    voltages: number,
    voltageStride: number,
    dt: number,
    state: number,
    current: number,
  ): void;
}

/** Kernel outputs, [nDevices, nSteps] views into WASM memory (see the module doc for their lifetime). */
export interface BatchViews {
  readonly state: NdArray<Float64Array>;
  readonly current: NdArray<Float64Array>;
}

/**
 * Memory for one kernel call: what `Core.call` hands its body. Addresses are
 * byte offsets into the module's memory; every array is f64 (a complex
 * array is interleaved re, im: 2 f64 per element).
 */
export interface Arena {
  /**
   * Copies `values` into fresh memory; returns its address. An array over
   * MAX_BLOCK_BYTES throws a RangeError naming it (`name`, if given).
   */
  place(values: Float64Array, name?: string): number;
  /** Reserves `count` f64 (contents undefined); returns the address. Limits as for `place`. */
  reserve(count: number, name?: string): number;
  /**
   * A Float64Array over `count` f64 at `at`. Make views after the last
   * `place`/`reserve` of the call: allocation may grow the memory and
   * detach earlier views.
   */
  view(at: number, count: number): Float64Array;
}

/**
 * An f64 array that stays in the core's memory across kernel calls, at a
 * fixed `address`, until released. Pass `address` to raw exports.
 */
export interface ResidentArray {
  /** Byte address in the core's memory (16-byte aligned). */
  readonly address: number;
  /** Number of f64. */
  readonly length: number;
  /**
   * A Float64Array over the values, made afresh when the memory has grown
   * since the last view (growth detaches the old buffer). Writes through it
   * change what later kernel calls read. Throws once released.
   */
  view(): Float64Array;
  /** Gives the memory back (see `Core.resident` for when it is reused). Releasing twice is a no-op. */
  release(): void;
  readonly released: boolean;
}

export interface Core {
  /** For callers that place their own arrays in memory (alloc after reset, then call a kernel). */
  readonly exports: CoreExports;
  /**
   * Runs `body` with a fresh arena: resets the allocator (so earlier views
   * over this Core's outputs are overwritten), then lets `body` place its
   * inputs, call raw exports and view the outputs. Kernel wrappers outside
   * this file (src/core/kernels/) are built on it; their raw export
   * signatures are declared next to them.
   */
  call<T>(body: (arena: Arena, exports: CoreExports & Readonly<Record<string, unknown>>) => T): T;
  /**
   * Copies `values` into resident memory: kept across `call`s (which only
   * reset the memory above the residents) and across memory growth (the
   * address stays; views are refreshed). Residents form a stack: the memory
   * of a released resident is reused once every resident placed after it
   * is released too (releasing the most recent lowers the mark at once).
   * Placing or releasing a resident ends the lifetime of earlier call
   * outputs, like a call does; do not do it inside a `call` body.
   */
  resident(values: Float64Array): ResidentArray;
  /** VTEAM batch (src/core/assembly/vteam.ts); twin of `vteamBatchReference`. */
  vteamBatch(input: BatchInput): BatchViews;
  /** Linear ion drift batch (src/core/assembly/linear-ion-drift.ts); twin of `linearIonDriftBatchReference`. */
  linearIonDriftBatch(input: LinearIonDriftBatchInput): BatchViews;
}

const WINDOW_CODES = {
  none: WINDOW_NONE,
  joglekar: WINDOW_JOGLEKAR,
  biolek: WINDOW_BIOLEK,
  prodromakis: WINDOW_PRODROMAKIS,
} as const;

const F64 = Float64Array.BYTES_PER_ELEMENT;

/**
 * Largest block the core's allocator hands out, bytes: the stub runtime's
 * BLOCK_MAXSIZE, 2³⁰ minus its 4-byte block header
 * (assemblyscript/std/assembly/rt/common.ts). A larger request aborts in
 * the core; the wrappers refuse it first, with a RangeError.
 */
export const MAX_BLOCK_BYTES = 2 ** 30 - 4;

/** Addresses at and above 2³¹ come back from the core as negative i32: nothing may end beyond it. */
const ADDRESS_LIMIT = 2 ** 31;

/** Compiles (unless given a Module) and instantiates build/core.wasm's bytes. */
export async function instantiateCore(source: BufferSource | WebAssembly.Module): Promise<Core> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  let memory: WebAssembly.Memory | undefined;
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        const text = memory ? `${readString(memory, message)} at ${readString(memory, file)}` : "";
        throw new Error(`WASM core aborted: ${text}:${line}:${column}`);
      },
    },
  });
  const exports = instance.exports as unknown as CoreExports;
  memory = exports.memory;
  return {
    exports,
    resident: residents(exports),
    call(body) {
      exports.reset();
      return body(arena(exports), exports as CoreExports & Readonly<Record<string, unknown>>);
    },
    vteamBatch(input) {
      const checked = checkBatch(vteam, input);
      return runKernel(exports, input, checked.nDevices, (p, x0, v, state, current) =>
        exports.vteamBatch(
          checked.nDevices,
          input.nSteps,
          p,
          x0,
          v,
          checked.voltageStride,
          input.dt,
          state,
          current,
        ),
      );
    },
    linearIonDriftBatch(input) {
      const checked = checkBatch(linearIonDriftModel(input.window), input);
      const window = WINDOW_CODES[input.window];
      return runKernel(exports, input, checked.nDevices, (p, x0, v, state, current) =>
        exports.linearIonDriftBatch(
          window,
          checked.nDevices,
          input.nSteps,
          p,
          checked.nParams,
          x0,
          v,
          checked.voltageStride,
          input.dt,
          state,
          current,
        ),
      );
    },
  };
}

/** `Core.resident` over one instance: a stack of arrays in the block `keep` reserves. */
function residents(exports: CoreExports): (values: Float64Array) => ResidentArray {
  /** End (byte offset in the block) and state of each live-or-pending resident, in placing order. */
  const stack: { end: number; released: boolean }[] = [];
  let base = 0;
  let kept = 0;
  return (values) => {
    const bytes = Math.max(16, Math.ceil((values.length * F64) / 16) * 16);
    const offset = kept;
    // All residents share one block (`keep`), so their sum is what the allocator must hold.
    if (offset + bytes > MAX_BLOCK_BYTES) {
      throw new RangeError(
        `WASM core: a resident array of ${values.length} f64 makes the resident block ${offset + bytes} bytes, ` +
          `over the ${MAX_BLOCK_BYTES} one block can hold`,
      );
    }
    base = exports.keep(offset + bytes);
    kept = offset + bytes;
    const address = base + offset;
    const length = values.length;
    const entry = { end: kept, released: false };
    stack.push(entry);
    let view = new Float64Array(exports.memory.buffer, address, values.length);
    view.set(values);
    return {
      address,
      length,
      get released() {
        return entry.released;
      },
      view() {
        if (entry.released) throw new Error("WASM core: view of a released resident array");
        if (view.buffer !== exports.memory.buffer) {
          view = new Float64Array(exports.memory.buffer, address, length);
        }
        return view;
      },
      release() {
        if (entry.released) return;
        entry.released = true;
        while (stack.length > 0 && stack[stack.length - 1]?.released) stack.pop();
        const top = stack[stack.length - 1]?.end ?? 0;
        if (top !== kept) {
          kept = top;
          exports.keep(top);
        }
      },
    };
  };
}

function arena(exports: CoreExports): Arena {
  /** Allocates `count` f64, refusing what the allocator or the address space cannot hold. */
  const allocate = (count: number, name = "an array"): number => {
    if (!(Number.isInteger(count) && count >= 0)) {
      throw new RangeError(`WASM core: ${name} of ${count} f64 is not an array size`);
    }
    const bytes = count * F64;
    if (bytes > MAX_BLOCK_BYTES) {
      throw new RangeError(
        `WASM core: ${name} of ${count} f64 (${bytes} bytes) is over the ${MAX_BLOCK_BYTES} bytes one block can hold`,
      );
    }
    const at = exports.alloc(bytes) >>> 0;
    if (at + bytes > ADDRESS_LIMIT) {
      throw new RangeError(
        `WASM core: ${name} of ${count} f64 would end at byte ${at + bytes}, beyond the 2 GiB this core addresses`,
      );
    }
    return at;
  };
  return {
    place(values, name) {
      const at = allocate(values.length, name);
      // Allocation may grow (and so replace) the buffer: view it afresh.
      new Float64Array(exports.memory.buffer, at, values.length).set(values);
      return at;
    },
    reserve: allocate,
    view: (at, count) => new Float64Array(exports.memory.buffer, at, count),
  };
}

/** Lays out one call's arrays in fresh memory, runs it, and views the outputs. */
function runKernel(
  exports: CoreExports,
  input: BatchInput,
  nDevices: number,
  kernel: (params: number, x0: number, voltages: number, state: number, current: number) => void,
): BatchViews {
  const n = nDevices * input.nSteps;
  const bytes = (input.params.length + input.x0.length + input.voltages.length + 2 * n) * F64;
  if (bytes > 2 ** 31)
    throw new RangeError(`WASM core: a batch of ${bytes} bytes is over the 2 GiB this core handles`);
  exports.reset();
  const memory = arena(exports);
  const params = memory.place(input.params, "params");
  const x0 = memory.place(input.x0, "x0");
  const voltages = memory.place(input.voltages, "voltages");
  const state = memory.reserve(n, "state");
  const current = memory.reserve(n, "current");
  kernel(params, x0, voltages, state, current);
  const view = (at: number) => ndarray(memory.view(at, n), [nDevices, input.nSteps]);
  return { state: view(state), current: view(current) };
}

/** Decodes an AssemblyScript string (UTF-16, byte length in the 4 bytes before it). */
function readString(memory: WebAssembly.Memory, at: number): string {
  if (at === 0) return "";
  const bytes = new Uint32Array(memory.buffer, at - 4, 1)[0] ?? 0;
  return String.fromCharCode(...new Uint16Array(memory.buffer, at, bytes >>> 1));
}
