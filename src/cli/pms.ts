#!/usr/bin/env node
/** `pms`: the command line of photon-memristor-sim (see src/cli/program.ts). */
import { CommandLineError, describeError, USAGE_EXIT_CODE } from "./errors.js";
import { buildProgram } from "./program.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Typed driver and model errors say what and where; print that, not a stack.
  console.error(`pms: ${describeError(error)}`);
  process.exitCode = error instanceof CommandLineError ? USAGE_EXIT_CODE : 1;
}
