/**
 * SCPI query round trips per second over TCP and over a serial PTY: the
 * virtual Keithley 2400 and 2450 (`pms virtual --clock event`, in its own process)
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

/**
 * The instruments measured, as `pms virtual` names them, and what
 * `:MEAS:CURR?` needs first in each dialect; the 2400's rows keep their
 * case names from before the 2450 was added. Both are the "virtual"
 * column, so the table has one instrument column against the echo.
 */
const INSTRUMENTS = [
  // A compliance, a level, and one element.
  {
    name: "smu1",
    label: "virtual 2400",
    prefix: "",
    setUp: ":SENS:CURR:PROT 0.01;:SOUR:VOLT 0.1;:FORM:ELEM CURR",
  },
  // A current limit, a level, the measure function, the output on (its :MEAS? leaves the output as it is).
  {
    name: "smu2",
    label: "virtual 2450",
    prefix: "2450 ",
    setUp: ':SOUR:VOLT:ILIM 0.01;:SOUR:VOLT 0.1;:SENS:FUNC "CURR";:OUTP ON',
  },
] as const;

const QUERIES = ["*IDN?", ":MEAS:CURR?"] as const;

export const ISSUE_14_RATE_TARGET = 0.8;

type Wires = { readonly tcp: string; readonly serial: string };

interface Served {
  /** By instrument name ("" for the echo server's one). */
  readonly resources: Readonly<Record<string, Wires>>;
  stop(): Promise<void>;
}

/**
 * Starts `args` with node and reads a TCP and a serial resource string for
 * each of `names` from its output (`pick` gives a line's name and resource).
 */
async function start(
  args: readonly string[],
  names: readonly string[],
  pick: (line: string) => { name: string; resource: string } | undefined,
): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const found: Array<{ name: string; resource: string }> = [];
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  for await (const line of lines) {
    const picked = pick(line);
    if (picked) found.push(picked);
    if (found.length === 2 * names.length) break;
  }
  const resources: Record<string, Wires> = {};
  for (const name of names) {
    const mine = found.filter((f) => f.name === name).map((f) => f.resource);
    const tcp = mine.find((r) => r.startsWith("TCPIP"));
    const serial = mine.find((r) => r.startsWith("ASRL"));
    if (!tcp || !serial)
      throw new Error(`${args.join(" ")} did not report a TCP and a serial resource for "${name}"`);
    resources[name] = { tcp, serial };
  }
  return {
    resources,
    stop: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/** Round trips per timed chunk: the instrument and the echo take turns a chunk at a time. */
const CHUNK = 250;

/** Time of `count` sequential queries, ms. */
async function timeQueries(session: ScpiSession, query: string, count: number): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < count; n++) await session.query(query);
  return performance.now() - started;
}

/**
 * The instrument's and the echo's times for ROUND_TRIPS queries, taken in
 * short turns (CHUNK queries of the instrument, then CHUNK of the echo, …),
 * and the ratio judged as the median over runs of the ratio within each run.
 * On this shared 2-core VM the echo's own rate swings by a factor of two
 * within a minute; long runs taken apart would compare one machine state
 * with another, while a chunk pair is a few tens of milliseconds apart, so
 * whatever else the machine does weighs on both alike.
 */
async function measure(
  resources: { readonly instrument: string; readonly echo: string },
  query: string,
  setUp: string,
  options: BenchOptions,
): Promise<{ instrument: number; echo: number; ratio: number }> {
  const instrument = new ScpiSession(await openTransport(resources.instrument), { timeoutMs: 10_000 });
  const echo = new ScpiSession(await openTransport(resources.echo), { timeoutMs: 10_000 });
  try {
    if (query !== "*IDN?") await instrument.query(`${setUp};*OPC?`);
    const times = { instrument: [] as number[], echo: [] as number[] };
    const ratios: number[] = [];
    for (let n = 0; n < options.warmup + options.repetitions; n++) {
      let a = 0;
      let b = 0;
      for (let done = 0; done < ROUND_TRIPS; done += CHUNK) {
        a += await timeQueries(instrument, query, CHUNK);
        b += await timeQueries(echo, query, CHUNK);
      }
      if (n < options.warmup) continue;
      times.instrument.push(a);
      times.echo.push(b);
      ratios.push(b / a);
    }
    return { instrument: median(times.instrument), echo: median(times.echo), ratio: median(ratios) };
  } finally {
    await Promise.all([instrument.close(), echo.close()]);
  }
}

export const scpiBench: BenchModule = {
  name: "scpi",
  description: `SCPI round trips/s, virtual 2400 and 2450 (event clock, own process) vs an echo process, ${ROUND_TRIPS} queries a run`,
  async run(options) {
    const root = findPackageRoot();
    const virtual = await start(
      [join(root, "dist/src/cli/pms.js"), "virtual", "--clock", "event", "--port", "0", "--serial"],
      INSTRUMENTS.map((i) => i.name),
      (line) => {
        const match = /^(\S+): .* serving on (\S+)/.exec(line);
        return match ? { name: match[1] as string, resource: match[2] as string } : undefined;
      },
    );
    const echo = await start([join(root, "dist/bench/echo-server.js")], [""], (line) =>
      /^(TCPIP|ASRL)\S+$/.test(line) ? { name: "", resource: line } : undefined,
    );
    const rows: BenchRow[] = [];
    try {
      for (const { name, label, prefix, setUp } of INSTRUMENTS) {
        for (const wire of ["tcp", "serial"] as const) {
          for (const query of QUERIES) {
            const medians = await measure(
              {
                instrument: (virtual.resources[name] as Wires)[wire],
                echo: (echo.resources[""] as Wires)[wire],
              },
              query,
              setUp,
              // Past the JIT's warm-up of the instrument's code paths, which one run does not reach.
              { warmup: Math.max(options.warmup, 3), repetitions: Math.max(options.repetitions, 9) },
            );
            const instrument = medians.instrument;
            const baseline = medians.echo;
            const ratio = medians.ratio;
            rows.push({
              bench: "scpi",
              case: `${prefix}${query} over ${wire === "tcp" ? "TCP" : "a PTY"}`,
              work: ROUND_TRIPS,
              workUnit: "round trips",
              medianMs: { virtual: instrument, echo: baseline },
              notes:
                `${label}: ${((ROUND_TRIPS / instrument) * 1e3).toFixed(0)}/s vs echo ${((ROUND_TRIPS / baseline) * 1e3).toFixed(0)}/s: ` +
                `${(100 * ratio).toFixed(0)} % of the echo's rate, median of the runs' paired ratios (target ≥ ${100 * ISSUE_14_RATE_TARGET} %)`,
              targets: [{ subject: "virtual", against: "echo", atLeast: ISSUE_14_RATE_TARGET }],
              comparesResults: false,
              pairedRatio: ratio,
            });
          }
        }
      }
    } finally {
      await Promise.all([virtual.stop(), echo.stop()]);
    }
    return rows;
  },
};
