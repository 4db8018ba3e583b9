/**
 * Sinks that never slow a plan (issue 17: CSV, the ZeroMQ publisher, the
 * dashboard): each takes documents into a bounded backlog and handles them
 * one at a time behind the plan. When the backlog is full a page is
 * dropped and counted (the router reports the count, and the run's outcome
 * carries it); the documents that give pages their meaning (RunStart,
 * descriptors, RunStop) are never dropped, there being a handful of them
 * a run. A handler that throws is reported and the sink goes on.
 */
import type { RunDocument } from "./documents.js";
import type { LossySink } from "./router.js";

export interface BoundedSinkOptions {
  /** Pages held before the next one is dropped (default 1024). */
  readonly capacity?: number;
  /** Told of a handler's error (the sink goes on with the next document). */
  readonly onError?: (error: unknown, document: RunDocument) => void;
}

/** A lossy sink that hands each document to `handle`, in order, one at a time. */
export function boundedSink(
  name: string,
  handle: (document: RunDocument) => void | Promise<void>,
  options: BoundedSinkOptions = {},
): LossySink & { readonly backlog: number; readonly failures: number } {
  const capacity = options.capacity ?? 1024;
  if (!(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`sink "${name}": capacity must be a whole number of pages ≥ 1, got ${capacity}`);
  }
  const queue: RunDocument[] = [];
  let pages = 0;
  let dropped = 0;
  let failures = 0;
  let running: Promise<void> | undefined;

  const drain = async () => {
    // Behind the plan: a turn of the event loop before each document, so that
    // the plan's replies and timers are served between a slow sink's steps.
    for (let document = queue.shift(); document !== undefined; document = queue.shift()) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (document.kind === "page") pages -= 1;
      try {
        await handle(document);
      } catch (error) {
        failures += 1;
        options.onError?.(error, document);
      }
    }
    running = undefined;
  };

  return {
    name,
    receive(document) {
      if (document.kind === "page") {
        if (pages >= capacity) {
          dropped += 1;
          return;
        }
        pages += 1;
      }
      queue.push(document);
      running ??= drain();
    },
    get dropped() {
      return dropped;
    },
    get backlog() {
      return queue.length;
    },
    get failures() {
      return failures;
    },
    async drained() {
      while (running) await running;
    },
  };
}
