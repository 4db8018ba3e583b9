/**
 * `pms virtual`: serve the virtual Keithley 2400 so that any program — this
 * framework's drivers, PyMeasure, a terminal — can talk to it over TCP or a
 * serial PTY until Ctrl-C (SIGINT) or SIGTERM.
 */
import { type Command, Option } from "commander";
import {
  CLOCK_MODES,
  type ClockMode,
  createBenchClock,
  serveVirtualKeithley2400,
} from "../../virtual/index.js";
import { parseNumber } from "../options.js";

export function registerVirtual(program: Command): void {
  program
    .command("virtual")
    .description("serve a virtual Keithley 2400 (a memristor under test) over TCP and/or a serial PTY")
    .option("--host <address>", "TCP address to listen on", "127.0.0.1")
    .option(
      "--port <n>",
      "TCP port (0 picks a free one; 5025 is the SCPI-socket convention)",
      parseNumber,
      5025,
    )
    .option("--no-tcp", "do not listen on TCP (with --serial: serve on the serial PTY only)")
    .option("--serial", "also serve on a serial PTY pair made by socat", false)
    .option("--seed <n>", "seed of the measurement noise", parseNumber, 1)
    .option("--source-delay <s>", "source delay before each reading, s", parseNumber)
    .addOption(
      new Option(
        "--clock <mode>",
        "the bench clock: wall (real time: a client's pauses reach the device), event (simulated: time jumps " +
          "to the next reply; a client's pauses take no time) or manual (moved only through the clock-control endpoint)",
      )
        .choices(CLOCK_MODES)
        .default("wall"),
    )
    .addHelpText(
      "after",
      `
Examples:
  pms virtual                       # TCPIP::127.0.0.1::5025::SOCKET
  pms virtual --port 0 --serial     # a free TCP port, plus ASRL/dev/pts/N::INSTR
  pms virtual --no-tcp --serial     # ASRL/dev/pts/N::INSTR only
  echo '*IDN?' | socat - TCP:127.0.0.1:5025`,
    )
    .action(async (options, command: Command) => {
      if (!options.tcp && !options.serial) {
        // Exit code 2, the usual one for a command line that cannot work as written.
        command.error(
          "pms virtual: --no-tcp leaves nothing to serve; add --serial to serve on a serial PTY only",
          { exitCode: 2 },
        );
      }
      // Listen before starting: a signal that comes during start-up, or as soon as the
      // resources are printed (a supervisor's cue), must still stop socat and free the port.
      const stopRequested = new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      const clock = createBenchClock(options.clock as ClockMode);
      const server = await serveVirtualKeithley2400({
        clock,
        seed: options.seed,
        sourceDelay: options.sourceDelay,
        tcp: options.tcp ? { host: options.host, port: options.port } : false,
        serial: options.serial,
      });
      for (const resource of [server.tcpResource, server.serialResource]) {
        if (resource) console.log(`virtual Keithley 2400 serving on ${resource}`);
      }
      console.log("Ctrl-C to stop.");
      // Signal listeners do not keep Node's event loop alive; this timer does, so
      // serving lasts until a signal whichever handles the server happens to hold.
      const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
      await stopRequested;
      clearInterval(keepAlive);
      await server.close();
      clock.close();
    });
}
