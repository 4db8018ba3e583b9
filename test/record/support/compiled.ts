/**
 * The store's child processes (./write-run.mjs, ./read-run.mjs) run the
 * compiled store in dist/, which test/global-setup.ts builds before `npm
 * test`. Run without that setup, a dist/ older than the sources would test
 * old code: refuse it, saying how to build.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const SOURCES = ["src/record/store", "src/record/documents.ts", "src/proto/columns.ts"];

export function checkCompiledStore(): void {
  const sources = SOURCES.flatMap((source) =>
    statSync(source).isDirectory() ? readdirSync(source).map((file) => join(source, file)) : [source],
  ).filter((source) => source.endsWith(".ts"));
  const stale = sources.filter((source) => {
    const compiled = join("dist", source.replace(/\.ts$/, ".js"));
    return !existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs;
  });
  if (stale.length > 0) {
    throw new Error(
      `dist/ is missing or older than ${stale.join(", ")}: run \`npx tsc -p tsconfig.build.json\` ` +
        "(test/global-setup.ts does it for `npm test`)",
    );
  }
}
