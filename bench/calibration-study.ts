/**
 * `npm run calibration-study [-- [ring|heater] [chips]]`: issue 18's
 * coverage study (calibration/study.ts) of recipe 1 (ring, the default) or
 * recipe 2 (heater) over 50 virtual chips by default, with progress per
 * chip; prints the table per parameter and writes it to
 * bench/calibration-study[-heater].json. About 6 s (ring) or 10 s (heater)
 * a chip on this machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatStudy, heaterCoverageStudy, ringCoverageStudy } from "../calibration/study.js";
import { findPackageRoot } from "../src/core/load-node.js";

const args = process.argv.slice(2);
const recipe = args[0] === "ring" || args[0] === "heater" ? (args.shift() as string) : "ring";
const chips = Number(args[0] ?? 50);
if (!(Number.isInteger(chips) && chips > 0))
  throw new RangeError(`calibration-study: chips must be a whole number > 0, got ${args[0]}`);
const folder = mkdtempSync(join(tmpdir(), "pms-calibration-study-"));
const started = performance.now();
const onChip = (chip: number) =>
  process.stderr.write(`chip ${chip + 1}/${chips}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
try {
  const study =
    recipe === "heater"
      ? await heaterCoverageStudy({ chips, outDir: folder, onChip })
      : await ringCoverageStudy({ chips, outDir: folder, onChip });
  console.log(formatStudy(study));
  writeFileSync(
    join(findPackageRoot(), "bench", `calibration-study${recipe === "ring" ? "" : `-${recipe}`}.json`),
    `${JSON.stringify(study, null, 2)}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
