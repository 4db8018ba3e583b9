/**
 * `npm run calibration-study [-- chips]`: issue 18's coverage study of
 * recipe 1 (calibration/study.ts) over 50 virtual chips by default, with
 * progress per chip; prints the table per parameter and writes it to
 * bench/calibration-study.json. About 6 s a chip on this machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatStudy, ringCoverageStudy } from "../calibration/study.js";
import { findPackageRoot } from "../src/core/load-node.js";

const chips = Number(process.argv[2] ?? 50);
if (!(Number.isInteger(chips) && chips > 0))
  throw new RangeError(`calibration-study: chips must be a whole number > 0, got ${process.argv[2]}`);
const folder = mkdtempSync(join(tmpdir(), "pms-calibration-study-"));
const started = performance.now();
try {
  const study = await ringCoverageStudy({
    chips,
    outDir: folder,
    onChip: (chip) =>
      process.stderr.write(
        `chip ${chip + 1}/${chips}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      ),
  });
  console.log(formatStudy(study));
  writeFileSync(
    join(findPackageRoot(), "bench", "calibration-study.json"),
    `${JSON.stringify(study, null, 2)}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
