/**
 * Turns an instrument's async-iterable readings (a chunked hardware sweep, a
 * stepped software sweep, a polling loop) into the stream of IVFrames that
 * the rest of src/sync/ works on (STYLE.md 8: async-iterable at the edges,
 * Observables inside).
 *
 * ```
 * readings:  --c0----c1------c2--|
 * frames:    --f0----f1------f2--|     fN.voltage.sequence === N
 * ```
 *
 * Unsubscribing stops pulling from the iterator and calls its `return()`,
 * so a driver can finish the sweep it is in (ramp down, output off). If
 * that clean-up fails (the cable is gone), nobody is left to hear it: the
 * failure goes to `onCleanupError` (default: a warning on stderr), never to
 * an unhandled rejection that would end the process.
 */
import { Observable } from "rxjs";
import { wallSeconds } from "./clock.js";
import { type IVColumns, type IVFrame, ivFrame } from "./iv-frame.js";

export function fromReadings(
  sourceId: string,
  readings: AsyncIterable<IVColumns>,
  onCleanupError: (error: unknown) => void = (error) =>
    console.warn(`${sourceId}: clean-up after unsubscribing failed: ${String(error)}`),
): Observable<IVFrame> {
  return new Observable<IVFrame>((subscriber) => {
    const iterator = readings[Symbol.asyncIterator]();
    let stopped = false;
    (async () => {
      let sequence = 0;
      try {
        while (!stopped) {
          const next = await iterator.next();
          if (next.done || stopped) break;
          subscriber.next(ivFrame(sourceId, sequence++, next.value, wallSeconds()));
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => {
      stopped = true;
      iterator.return?.()?.catch(onCleanupError);
    };
  });
}
