/**
 * `npm run calibration-study [-- [ring|heater|memristor|pcm|detector] [chips]]`:
 * issue 18's coverage study (calibration/study.ts) of recipe 1 (ring, the
 * default), 2 (heater), 3 (memristor), 4 (pcm) or 5 (detector) over 50
 * virtual chips by default, with progress per chip; prints the table per
 * parameter and writes it to bench/calibration-study[-recipe].json. About
 * 6 s (ring), 10 s (heater), 0.5 s (memristor), 15 s (pcm) or 0.2 s
 * (detector) a chip here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  detectorCoverageStudy,
  formatStudy,
  heaterCoverageStudy,
  memristorCoverageStudy,
  pcmCoverageStudy,
  ringCoverageStudy,
} from "../calibration/study.js";
import { findPackageRoot } from "../src/core/load-node.js";

const args = process.argv.slice(2);
const recipe = ["ring", "heater", "memristor", "pcm", "detector"].includes(args[0] ?? "")
  ? (args.shift() as string)
  : "ring";
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
      : recipe === "detector"
        ? await detectorCoverageStudy({ chips, outDir: folder, onChip })
        : recipe === "memristor"
          ? await memristorCoverageStudy({ chips, outDir: folder, onChip })
          : recipe === "pcm"
            ? await pcmCoverageStudy({ chips, outDir: folder, onChip })
            : await ringCoverageStudy({ chips, outDir: folder, onChip });
  console.log(formatStudy(study));
  writeFileSync(
    join(findPackageRoot(), "bench", `calibration-study${recipe === "ring" ? "" : `-${recipe}`}.json`),
    `${JSON.stringify(study, null, 2)}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
