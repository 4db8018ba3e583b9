// An I-V loop on the bench's Keithley 2450, then the whole bench made safe.
// Usage: node examples/iv-on-2450.mjs bench.json   (from `pms virtual --bench bench.json`, or your own)
import { ivPlan, withBench } from "photon-memristor-sim";

const triangle = {
  amplitude: 1,
  pointsPerCycle: 40,
  cycles: 1,
  compliance: 0.01,
  nplc: 0.1,
  sourceDelay: 0.001,
};

const summary = await withBench(process.argv[2] ?? "bench.json", async (bench) => {
  const smu = bench.sourceMeter("smu2");
  const { identity } = (await bench.snapshot()).instruments.smu2;
  console.log(`I-V on ${identity.model} (serial ${identity.serial}) at ${smu.resource}`);
  return ivPlan(smu, triangle, {
    timebase: bench.timebase,
    emit: (batch) => console.log(`${batch.voltage.length} readings, up to ${Math.max(...batch.current)} A`),
  });
}); // closed here, after an exception too: every output ramped to 0 V and off
console.log(`${summary.points} points in ${summary.batches} batches, ${summary.inCompliance} in compliance`);
