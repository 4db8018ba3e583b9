/**
 * The `pms` program: each subcommand is one file in src/cli/commands/ that
 * registers itself here.
 */
import { Command } from "commander";
import { registerCalibrate } from "./commands/calibrate.js";
import { registerCard } from "./commands/card.js";
import { registerGateway } from "./commands/gateway.js";
import { registerIv } from "./commands/iv.js";
import { registerOptical } from "./commands/optical.js";
import { registerRuns } from "./commands/runs.js";
import { registerVirtual } from "./commands/virtual.js";

export function buildProgram(): Command {
  const program = new Command()
    .name("pms")
    .description(
      "photon-memristor-sim: drive photonic and memristive devices, real or virtual, and compare them with their models.",
    )
    .showHelpAfterError("(run with --help for usage)");
  registerCalibrate(program);
  registerCard(program);
  registerGateway(program);
  registerIv(program);
  registerOptical(program);
  registerRuns(program);
  registerVirtual(program);
  return program;
}
