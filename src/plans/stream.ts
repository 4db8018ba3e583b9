/**
 * A plan's batches as an Observable (DESIGN.md: streams carry batches): the
 * plan emits through its context, and whoever subscribes to `batches`
 * before it starts gets every batch, then completion when the plan
 * returns, or the plan's error. The plan's own result comes back as it
 * would without the stream.
 */
import { type Observable, Subject } from "rxjs";
import type { SweepColumns } from "../drivers/instruments/kinds.js";
import type { PlanContext } from "./iv.js";

export interface StreamedPlan<B = SweepColumns> {
  /** Every batch the plan emits; completes when it returns, errors when it throws. */
  readonly batches: Observable<B>;
  /** Runs the plan with a context that emits into {@link batches}; call once, after subscribing. */
  run<T>(plan: (context: PlanContext<B>) => Promise<T>): Promise<T>;
}

/**
 * A stream for one plan run, with the rest of its context given here; `B`
 * is the shape of its batches. `afterEmit`, called once each batch has
 * been through the subscribers, gives what the plan's `emit` returns (the
 * run store's push-back: the page that batch became).
 */
export function streamPlan<B = SweepColumns>(
  context: Omit<PlanContext<B>, "emit"> & { readonly afterEmit?: () => Promise<void> | undefined },
): StreamedPlan<B> {
  const subject = new Subject<B>();
  let started = false;
  return {
    batches: subject.asObservable(),
    async run(plan) {
      if (started) throw new Error("streamPlan: a stream carries one plan run");
      started = true;
      try {
        const { afterEmit, ...planContext } = context;
        const result = await plan({
          ...planContext,
          emit: (batch) => {
            subject.next(batch);
            return afterEmit?.();
          },
        });
        subject.complete();
        return result;
      } catch (error) {
        subject.error(error);
        throw error;
      }
    },
  };
}
