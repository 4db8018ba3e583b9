/**
 * Allocation in the module's linear memory. The runtime is "stub": a bump
 * allocator that never frees individual blocks. The strategy is therefore
 * per call: the TypeScript wrapper (src/core/wasm.ts) calls `reset()`, then
 * `alloc`s every input and output of one kernel call, so memory use is that
 * of the largest call and the outputs stay valid until the next call.
 *
 * Resident memory: data a caller reuses across calls (a programmed
 * crossbar's G, a sampler's parameters) lives in one block at the bottom of
 * the heap, `keep(bytes)` long, which `reset()` allocates again first — the
 * stub's first allocation after a reset is always at the same address, and
 * it does not clear memory, so the block's contents survive every reset.
 * The TypeScript side (Core.resident) lays resident arrays out inside it.
 */

/** Size of the resident block, bytes (0: none). */
let keptBytes: usize = 0;

/** Reserves `bytes` bytes (16-byte aligned, so f64 and v128 loads are aligned); returns the address. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Forgets every allocation but the resident block: the next `alloc` starts just above it. */
export function reset(): void {
  __reset();
  if (keptBytes > 0) heap.alloc(keptBytes);
}

/**
 * Sets the resident block to `bytes` bytes (growing keeps its contents,
 * shrinking drops its end) and returns its address. Ends the current call's
 * allocations, like `reset()`. The size is recorded only once the block is
 * allocated: if the allocation aborts (over the stub's BLOCK_MAXSIZE,
 * 2³⁰ − 4 bytes, or the memory cannot grow), the previous block stays the
 * resident one and every later `reset()` still succeeds.
 */
export function keep(bytes: usize): usize {
  __reset();
  if (bytes === 0) {
    keptBytes = 0;
    return 0;
  }
  const at = heap.alloc(bytes);
  keptBytes = bytes;
  return at;
}
