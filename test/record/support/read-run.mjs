// A reader of a run store in its own process (`pms runs show` on a live
// run), for ../store-durability.test.ts: opens the store (read-only, or for
// writing, which sweeps dead runs), then for `duration` ms lists the runs
// and reads run `run`'s primary stream as a table, again and again. Prints
// one line of JSON: how many reads, the statuses it saw, and the event
// counts of its first and last tables.
// Plain JS over the compiled store in dist/ (test/global-setup.ts builds it).
//
// argv: <store URI (sqlite:<path>, postgres://…)> <run uid> <"readonly" | "write"> <duration, ms>
import { openStore } from "../../../dist/src/record/store/open.js";

const [uri, run, mode, duration] = process.argv.slice(2);
const store = await openStore(uri, { readonly: mode === "readonly" });
const statuses = new Set();
const counts = [];
const until = performance.now() + Number(duration);
let intact = true;
while (performance.now() < until) {
  const summary = (await store.runs()).find((candidate) => candidate.uid === run);
  statuses.add(summary?.status ?? "missing");
  const table = await (await store.run(run)).table("primary");
  counts.push(table.count);
  const current = table.columns[0].values;
  for (let event = 0; event < table.count; event += 97) {
    if (current[event] !== event * 0.25 - 1e6 || table.time[event] !== event * 1e-4) intact = false;
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await store.close();
console.log(
  JSON.stringify({
    reads: counts.length,
    statuses: [...statuses],
    first: counts[0],
    last: counts.at(-1),
    intact,
  }),
);
