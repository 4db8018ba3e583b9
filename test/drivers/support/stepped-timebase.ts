/**
 * A timebase whose sleeps move its time at once: a driver's polls (of
 * `*OPC?`, of a zero's state) are counted against their deadline, not
 * waited for, so a replayed conversation has an exact number of them.
 */
import { anchorNow, ENDED, type Timebase } from "../../../src/sync/timebase.js";

export function steppedTimebase(): Timebase {
  let now = 0;
  return {
    kind: "manual",
    anchor: anchorNow(),
    now: () => now,
    sleep: async (seconds) => {
      now += seconds;
    },
    declare: () => ENDED,
  };
}
