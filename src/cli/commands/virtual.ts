/**
 * `pms virtual`: serve the virtual bench — the demo chip on one bench
 * clock, with a Keithley 2400 on its standalone memristor (smu1) and a
 * Keithley 2450 on its heater (smu2) — so that any
 * program (this framework's drivers, PyMeasure, a terminal) can talk to it
 * over TCP or a serial PTY until Ctrl-C (SIGINT) or SIGTERM. The clock is
 * real time by default: a program this project does not control cannot
 * tell the bench when it is thinking, and a memristor under bias switches
 * while it does.
 */
import { type Command, Option } from "commander";
import { benchFileOf } from "../../bench/embedded.js";
import { writeBenchFile } from "../../bench/file.js";
import {
  CLOCK_MODES,
  type ClockMode,
  DEFAULT_BENCH_INSTRUMENTS,
  serveVirtualBench,
  type VirtualBenchSpec,
  type VirtualInstrumentSpec,
} from "../../virtual/index.js";
import { parseNumber } from "../options.js";

export function registerVirtual(program: Command): void {
  program
    .command("virtual")
    .description(
      "serve the virtual bench: the demo chip on one clock, a Keithley 2400 on its standalone memristor, a Keithley 2450 on its heater, a Santec TSL-570 and a Thorlabs PM100USB on its fibre array, over TCP and/or serial PTYs",
    )
    .option("--host <address>", "TCP address to listen on", "127.0.0.1")
    .option(
      "--port <n>",
      "TCP port of the 2400 (0 picks a free one; 5025 is the SCPI-socket convention); the TSL-570 and the PM100USB listen on the two after the 2450's",
      parseNumber,
      5025,
    )
    .option(
      "--port-2450 <n>",
      "TCP port of the 2450 (default: the 2400's port + 1, or a free one when that is 0)",
      parseNumber,
    )
    .option("--no-tcp", "do not listen on TCP (with --serial: serve on the serial PTY only)")
    .option("--serial", "also serve on a serial PTY pair made by socat", false)
    .option("--seed <n>", "seed of the measurement noise", parseNumber, 1)
    .addOption(
      new Option(
        "--fibres <path>",
        "the optical path the fibre array starts over (moved later through the clock endpoint)",
      )
        .choices(["ring", "reference"])
        .default("ring"),
    )
    .option("--source-delay <s>", "the 2400's source delay before each reading, s", parseNumber)
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
    .option(
      "--bench <file>",
      "write a bench file (JSON) that points at the served instruments and the clock endpoint, for openBench() " +
        "and bench scripts; with it, TCP ports are free ones unless --port gives the first",
    )
    .addHelpText(
      "after",
      `
The clock-control endpoint (protobuf ClockRequest/ClockReply of proto/pms.proto
on a ZeroMQ REQ/DEALER socket) lets another process read the bench clock, sleep
on it, and, with --clock manual, advance it.

Examples:
  pms virtual                       # the 2400 on TCPIP::127.0.0.1::5025::SOCKET, the 2450 on 5026, real time
  pms virtual --port 0 --serial     # a free TCP port, plus ASRL/dev/pts/N::INSTR
  pms virtual --no-tcp --serial     # ASRL/dev/pts/N::INSTR only
  pms virtual --clock event         # simulated time, as fast as the CPU allows
  pms virtual --bench bench.json    # free ports, and a bench file a script opens with openBench("bench.json")
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
      if (options.bench && !options.tcp) {
        command.error("pms virtual: --bench needs TCP (a bench file names TCP resources); drop --no-tcp", {
          exitCode: 2,
        });
      }
      // A bench file is read by programs, not typed: free ports unless the first was asked for.
      const port = options.bench && command.getOptionValueSource("port") === "default" ? 0 : options.port;
      const spec: VirtualBenchSpec = {
        clock: options.clock as ClockMode,
        backend: options.backend,
        host: options.host,
        instruments: {
          smu1: {
            ...(DEFAULT_BENCH_INSTRUMENTS.smu1 as VirtualInstrumentSpec),
            tcpPort: options.tcp ? port : false,
            serial: options.serial,
            seed: options.seed,
            ...(options.sourceDelay !== undefined && { sourceDelay: options.sourceDelay }),
          },
          smu2: {
            ...(DEFAULT_BENCH_INSTRUMENTS.smu2 as VirtualInstrumentSpec),
            tcpPort: options.tcp ? (options.port2450 ?? (port === 0 ? 0 : port + 1)) : false,
            serial: options.serial,
            seed: options.seed + 1,
          },
          laser: {
            model: "santec-tsl570",
            tcpPort: options.tcp ? (port === 0 ? 0 : port + 2) : false,
            serial: options.serial,
            seed: options.seed + 2,
          },
          meter: {
            model: "thorlabs-pm100",
            tcpPort: options.tcp ? (port === 0 ? 0 : port + 3) : false,
            serial: options.serial,
            seed: options.seed + 3,
          },
        },
        fibrePath: options.fibres,
        clockControl: options.clockEndpoint ? { endpoint: options.clockEndpoint } : true,
      };
      const bench = await serveVirtualBench(spec);
      for (const [name, server] of Object.entries(bench.instruments)) {
        const resources = bench.resources.instruments[name] ?? {};
        for (const resource of [resources.tcp, resources.serial]) {
          if (resource) console.log(`${name}: ${server.instrument.label} serving on ${resource}`);
        }
      }
      console.log(`bench clock (${options.clock}) control on ${bench.resources.clock}`);
      if (options.bench) {
        await writeBenchFile(options.bench, benchFileOf(bench, spec, "pms virtual"));
        console.log(`bench file: ${options.bench}`);
      }
      console.log("Ctrl-C to stop.");
      // Signal listeners do not keep Node's event loop alive; this timer does, so
      // serving lasts until a signal whichever handles the server happens to hold.
      const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
      await stopRequested;
      clearInterval(keepAlive);
      await bench.close();
    });
}
