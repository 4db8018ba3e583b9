// A fast plan recording into a run store, in its own process, for the
// durability test (../store-durability.test.ts) to SIGKILL at a random
// moment. Writes a RunStart, a descriptor and then pages of `count` events
// without end, as fast as the writer's backlog lets it, and prints a line as
// each document is acknowledged (committed): "start", then "page <first
// event>" in order. stdout is a pipe, written synchronously on Linux: a
// printed line is in the pipe before the next document is written.
// The values follow from the event index, as ./runs.ts computes them.
// Plain JS over the compiled store in dist/ (test/global-setup.ts builds it).
//
// argv: <store URI (sqlite:<path>, postgres://…)> <run uid> <events per page>
import { openStore } from "../../../dist/src/record/store/open.js";

const [uri, run, perPage] = process.argv.slice(2);
const count = Number(perPage);
const descriptorUid = `${run}-d`;
const bytes = (values) => new Uint8Array(values.buffer);

const store = await openStore(uri);
const writer = store.writer();
const acknowledge = (line) => () => process.stdout.write(`${line}\n`);
const fail = (error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
};

writer
  .write({
    kind: "runStart",
    doc: {
      uid: run,
      seq: 0,
      time: 0,
      wallTime: Date.now() / 1000,
      plan: "durability",
      argumentsJson: "{}",
      chip: "demo-chip",
      metadata: {},
      hostname: "",
      software: "store-durability.test.ts",
      timebase: { kind: "wall", anchorHrtimeNs: "0", anchorWallSeconds: 0 },
    },
  })
  .then(acknowledge("start"), fail);
writer
  .write({
    kind: "descriptor",
    doc: {
      uid: descriptorUid,
      runUid: run,
      seq: 1,
      time: 0,
      wallTime: Date.now() / 1000,
      name: "primary",
      dataKeys: [
        { key: "smu1-current", source: "smu1", unit: "A", dtype: 1, shape: [], doc: "" },
        { key: "smu1-status", source: "smu1", unit: "", dtype: 2, shape: [], doc: "" },
      ],
      configuration: [],
    },
  })
  .catch(fail);

for (let page = 0; ; page++) {
  const firstEvent = page * count;
  const events = Array.from({ length: count }, (_, i) => firstEvent + i);
  await writer.ready();
  writer
    .write({
      kind: "page",
      doc: {
        uid: `${run}-page-${page}`,
        runUid: run,
        descriptorUid,
        seq: 2 + page,
        time: 0,
        wallTime: Date.now() / 1000,
        firstEvent,
        count,
        eventTime: bytes(Float64Array.from(events, (event) => event * 1e-4)),
        columns: [
          { key: "smu1-current", float64: bytes(Float64Array.from(events, (event) => event * 0.25 - 1e6)) },
          {
            key: "smu1-status",
            int64: bytes(BigInt64Array.from(events, (event) => BigInt(event) * 3n - 7n)),
          },
        ],
      },
    })
    .then(acknowledge(`page ${firstEvent}`), fail);
  // A plan's step takes some time: a few hundred pages a group commit, not a disk's worth a second.
  if (page % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 1));
}
