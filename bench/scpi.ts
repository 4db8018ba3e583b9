/**
 * SCPI query round trips per second over TCP and over a serial PTY: the
 * virtual Keithley 2400 (`pms virtual --clock event`, in its own process)
 * next to a raw echo server in its own process (bench/echo-server.ts) on
 * the same wires, measured in the same run with the same client (the
 * project's ScpiSession, one query in flight). The ratio says how much
 * of a round trip the instrument's own work costs; issue 14's target is
 * at least 80 % of the echo's rate for `*IDN?` and `:MEAS:CURR?` on the
 * event clock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { findPackageRoot } from "../src/core/load-node.js";
import { ScpiSession } from "../src/drivers/scpi/session.js";
import { openTransport } from "../src/drivers/transports/open.js";
import { type BenchModule, type BenchOptions, type BenchRow, median } from "./harness.js";

/** Round trips per timed run. */
const ROUND_TRIPS = 2000;

/** What `:MEAS:CURR?` needs first: a compliance, a level, and one element. */
const SET_UP = ":SENS:CURR:PROT 0.01;:SOUR:VOLT 0.1;:FORM:ELEM CURR";

const QUERIES = ["*IDN?", ":MEAS:CURR?"] as const;

export const ISSUE_14_RATE_TARGET = 0.8;

interface Served {
  readonly resources: { readonly tcp: string; readonly serial: string };
  stop(): Promise<void>;
}

/** Starts `args` with node and reads `count` resource strings from its output. */
async function start(args: readonly string[], pick: (line: string) => string | undefined): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const found: string[] = [];
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  for await (const line of lines) {
    const resource = pick(line);
    if (resource) found.push(resource);
    if (found.length === 2) break;
  }
  const tcp = found.find((r) => r.startsWith("TCPIP"));
  const serial = found.find((r) => r.startsWith("ASRL"));
  if (!tcp || !serial) throw new Error(`${args.join(" ")} did not report a TCP and a serial resource`);
  return {
    resources: { tcp, serial },
    stop: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/** Time of ROUND_TRIPS sequential queries, ms. */
async function timeQueries(session: ScpiSession, query: string): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < ROUND_TRIPS; n++) await session.query(query);
  return performance.now() - started;
}

/**
 * Median times of the instrument's and the echo's runs, taken in turns
 * (instrument, echo, instrument, …) so that whatever else the machine does
 * weighs on both alike.
 */
async function measure(
  resources: { readonly instrument: string; readonly echo: string },
  query: string,
  options: BenchOptions,
): Promise<{ instrument: number; echo: number }> {
  const instrument = new ScpiSession(await openTransport(resources.instrument), { timeoutMs: 10_000 });
  const echo = new ScpiSession(await openTransport(resources.echo), { timeoutMs: 10_000 });
  try {
    if (query !== "*IDN?") await instrument.query(`${SET_UP};*OPC?`);
    const times = { instrument: [] as number[], echo: [] as number[] };
    for (let n = 0; n < options.warmup + options.repetitions; n++) {
      const a = await timeQueries(instrument, query);
      const b = await timeQueries(echo, query);
      if (n < options.warmup) continue;
      times.instrument.push(a);
      times.echo.push(b);
    }
    return { instrument: median(times.instrument), echo: median(times.echo) };
  } finally {
    await Promise.all([instrument.close(), echo.close()]);
  }
}

export const scpiBench: BenchModule = {
  name: "scpi",
  description: `SCPI round trips/s, virtual 2400 (event clock, own process) vs an echo process, ${ROUND_TRIPS} queries a run`,
  async run(options) {
    const root = findPackageRoot();
    const virtual = await start(
      [join(root, "dist/src/cli/pms.js"), "virtual", "--clock", "event", "--port", "0", "--serial"],
      (line) => /serving on (\S+)/.exec(line)?.[1],
    );
    const echo = await start([join(root, "dist/bench/echo-server.js")], (line) =>
      /^(TCPIP|ASRL)\S+$/.test(line) ? line : undefined,
    );
    const rows: BenchRow[] = [];
    try {
      for (const wire of ["tcp", "serial"] as const) {
        for (const query of QUERIES) {
          const medians = await measure(
            { instrument: virtual.resources[wire], echo: echo.resources[wire] },
            query,
            // Past the JIT's warm-up of the instrument's code paths, which one run does not reach.
            { warmup: Math.max(options.warmup, 3), repetitions: Math.max(options.repetitions, 9) },
          );
          const instrument = medians.instrument;
          const baseline = medians.echo;
          const ratio = baseline / instrument;
          rows.push({
            bench: "scpi",
            case: `${query} over ${wire === "tcp" ? "TCP" : "a PTY"}`,
            work: ROUND_TRIPS,
            workUnit: "round trips",
            medianMs: { "virtual 2400": instrument, echo: baseline },
            notes:
              `${((ROUND_TRIPS / instrument) * 1e3).toFixed(0)}/s vs echo ${((ROUND_TRIPS / baseline) * 1e3).toFixed(0)}/s: ` +
              `${(100 * ratio).toFixed(0)} % of the echo's rate (target ≥ ${100 * ISSUE_14_RATE_TARGET} %)`,
            targets: [{ subject: "virtual 2400", against: "echo", atLeast: ISSUE_14_RATE_TARGET }],
            comparesResults: false,
          });
        }
      }
    } finally {
      await Promise.all([virtual.stop(), echo.stop()]);
    }
    return rows;
  },
};
