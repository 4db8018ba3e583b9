/**
 * Allocation in the module's linear memory. The runtime is "stub": a bump
 * allocator that never frees individual blocks. The strategy is therefore
 * per call: the TypeScript wrapper (src/core/wasm.ts) calls `reset()`, then
 * `alloc`s every input and output of one kernel call, so memory use is that
 * of the largest call and the outputs stay valid until the next call.
 */

/** Reserves `bytes` bytes (16-byte aligned, so f64 and v128 loads are aligned); returns the address. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Forgets every allocation: the next `alloc` starts again at the heap base. */
export function reset(): void {
  __reset();
}
