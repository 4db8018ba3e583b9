/**
 * `pms virtual`: serve the virtual bench — the demo chip on one bench
 * clock, with a Keithley 2400 on its standalone memristor — so that any
 * program (this framework's drivers, PyMeasure, a terminal) can talk to it
 * over TCP or a serial PTY until Ctrl-C (SIGINT) or SIGTERM. The clock is
 * real time by default: a program this project does not control cannot
 * tell the bench when it is thinking, and a memristor under bias switches
 * while it does.
 */
import { type Command, Option } from "commander";
import { CLOCK_MODES, type ClockMode, serveVirtualBench } from "../../virtual/index.js";
import { parseNumber } from "../options.js";

export function registerVirtual(program: Command): void {
  program
    .command("virtual")
    .description(
      "serve the virtual bench: the demo chip on one clock, a Keithley 2400 on its standalone memristor, over TCP and/or a serial PTY",
    )
    .option("--host <address>", "TCP address to listen on", "127.0.0.1")
    .option(
      "--port <n>",
      "TCP port of the 2400 (0 picks a free one; 5025 is the SCPI-socket convention)",
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
          "to the next reply; a client's pauses take no time unless made through the clock endpoint) or " +
          "manual (moved only through the clock-control endpoint)",
      )
        .choices(CLOCK_MODES)
        .default("wall"),
    )
    .addOption(
      new Option(
        "--backend <name>",
        "what steps the chip's physics: the WASM core or the TypeScript reference",
      )
        .choices(["wasm", "ts"])
        .default("wasm"),
    )
    .option(
      "--clock-endpoint <endpoint>",
      "ZeroMQ endpoint of the clock control (default: a free port on 127.0.0.1)",
    )
    .addHelpText(
      "after",
      `
The clock-control endpoint (protobuf ClockRequest/ClockReply of proto/pms.proto
on a ZeroMQ REQ/DEALER socket) lets another process read the bench clock, sleep
on it, and, with --clock manual, advance it.

Examples:
  pms virtual                       # TCPIP::127.0.0.1::5025::SOCKET, real time
  pms virtual --port 0 --serial     # a free TCP port, plus ASRL/dev/pts/N::INSTR
  pms virtual --no-tcp --serial     # ASRL/dev/pts/N::INSTR only
  pms virtual --clock event         # simulated time, as fast as the CPU allows
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
      const bench = await serveVirtualBench({
        clock: options.clock as ClockMode,
        backend: options.backend,
        host: options.host,
        instruments: {
          smu1: {
            model: "keithley2400",
            port: "memristor",
            tcpPort: options.tcp ? options.port : false,
            serial: options.serial,
            seed: options.seed,
            ...(options.sourceDelay !== undefined && { sourceDelay: options.sourceDelay }),
          },
        },
        clockControl: options.clockEndpoint ? { endpoint: options.clockEndpoint } : true,
      });
      const smu = bench.resources.instruments.smu1 ?? {};
      for (const resource of [smu.tcp, smu.serial]) {
        if (resource) console.log(`virtual Keithley 2400 serving on ${resource}`);
      }
      console.log(`bench clock (${options.clock}) control on ${bench.resources.clock}`);
      console.log("Ctrl-C to stop.");
      // Signal listeners do not keep Node's event loop alive; this timer does, so
      // serving lasts until a signal whichever handles the server happens to hold.
      const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
      await stopRequested;
      clearInterval(keepAlive);
      await bench.close();
    });
}
