#!/usr/bin/env node
/** `pms`: the command line of photon-memristor-sim (see src/cli/program.ts). */
import { buildProgram } from "./program.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Typed driver and model errors say what and where; print that, not a stack.
  console.error(`pms: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
}
