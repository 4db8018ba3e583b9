/**
 * The event clock with instruments on it, over real TCP sockets (issue 14
 * §1): a polling loop of a query that does not wait always ends; an idle
 * connection holds nothing; two instruments' operations overlap.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ScpiSession } from "../../../src/drivers/scpi/session.js";
import { openTransport } from "../../../src/drivers/transports/open.js";
import { type BenchClock, createBenchClock } from "../../../src/virtual/clock/bench-clock.js";
import { InstrumentTimeline } from "../../../src/virtual/clock/timeline.js";
import { COMMAND_LATENCY, ResistorDut, serveVirtualKeithley2400 } from "../../../src/virtual/index.js";
import { commonCommands } from "../../../src/virtual/scpi/common-commands.js";
import { commandsFor, ScpiEngine } from "../../../src/virtual/scpi/engine.js";
import { numeric } from "../../../src/virtual/scpi/params.js";
import { type ServedInstrument, serveInstrument } from "../../../src/virtual/server.js";
import { tcpClient } from "../line-client.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function session(clock: BenchClock, resource: string): Promise<ScpiSession> {
  const s = new ScpiSession(await openTransport(resource), { timebase: clock, timeoutMs: 5000 });
  closers.push(() => s.close());
  return s;
}

/**
 * A minimal instrument whose `:TUNE <s>` starts an operation that runs on
 * after its reply, and whose `*OPC?` answers at once, 0 while it runs —
 * the shape of a tunable laser's (the Santec TSL's `*OPC?` does not block).
 */
function tuner(clock: BenchClock, latency: number): ServedInstrument {
  const timeline = new InstrumentTimeline(clock, latency);
  const command = commandsFor<InstrumentTimeline>();
  const engine = new ScpiEngine<InstrumentTimeline>({
    context: timeline,
    errorQueueCapacity: 10,
    commands: [
      command(":TUNE", {
        set: { params: [numeric({ min: 0, max: 100 })], run: (t, [seconds]) => t.startOperation(seconds) },
      }),
      // Ahead of the common commands' *OPC?, which the engine would match first.
      command("*OPC", { query: { run: (t) => (t.busy ? "0" : "1") } }),
      ...commonCommands<InstrumentTimeline>({
        identity: () => "PMS,TUNER,0,0",
        reset: () => undefined,
        clearStatus: () => undefined,
        statusSummary: () => 0,
      }),
    ],
  });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    label: "tuner",
    clock,
    respond(line) {
      const next = queue.then(async () => {
        timeline.begin(false);
        const reply = await engine.execute(line);
        if (reply === undefined) return "";
        await timeline.reach();
        return `${reply}\n`;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    inputOverrun: () => undefined,
    reportInternalError: () => undefined,
  };
}

describe("event clock with instruments on it", () => {
  it("ends a *OPC? polling loop: each poll costs the command latency, none waits", async () => {
    const clock = createBenchClock("event");
    const latency = 1e-3;
    const server = await serveInstrument(tuner(clock, latency));
    closers.push(() => server.close());
    const s = await session(clock, server.tcpResource as string);
    await s.write(":TUNE 0.05");
    const started = clock.now();
    let polls = 0;
    for (let reply = "0"; reply !== "1"; polls++) {
      reply = await s.query("*OPC?");
      expect(polls).toBeLessThan(1000);
    }
    // 50 ms of tuning at 1 ms a poll: about 50 polls, and the clock at the end of the operation.
    expect(polls).toBeGreaterThanOrEqual(49);
    expect(polls).toBeLessThanOrEqual(52);
    expect(clock.now() - started).toBeGreaterThanOrEqual(0.05);
    expect(clock.now() - started).toBeLessThan(0.05 + 3 * latency);
  });

  it("is not held by an idle connection, nor by one that sent half a line", async () => {
    const clock = createBenchClock("event");
    const server = await serveVirtualKeithley2400({ clock, dut: new ResistorDut(1000), noise: false });
    closers.push(() => server.close());
    const resource = server.tcpResource as string;
    const idle = await tcpClient(resource);
    const halfway = await tcpClient(resource);
    closers.push(idle.close, halfway.close);
    halfway.send(":SOUR:VOLT 0.");
    const s = await session(clock, resource);
    await s.write(
      ":SENS:CURR:PROT 0.01;:SOUR:VOLT 1;:OUTP ON;:SENS:CURR:NPLC 10;:TRIG:COUN 100;:FORM:ELEM CURR",
    );
    const wall = performance.now();
    const currents = (await s.query(":READ?")).split(",").map(Number);
    expect(currents).toHaveLength(100);
    expect(currents.every((i) => Math.abs(i - 1e-3) < 1e-12)).toBe(true);
    // 100 cycles of 1 ms delay + 10 PLC + 1 ms overhead: 16.9 s on the clock, in well under a second of wall time.
    expect(clock.now()).toBeGreaterThan(100 * (0.002 + 10 / 60));
    expect(performance.now() - wall).toBeLessThan(2000);
  });

  it("overlaps two instruments' readings: the clock ends at the longer, not at their sum", async () => {
    const clock = createBenchClock("event");
    const servers = await Promise.all(
      [1000, 2000].map((ohms) =>
        serveVirtualKeithley2400({ clock, dut: new ResistorDut(ohms), noise: false }),
      ),
    );
    for (const server of servers) closers.push(() => server.close());
    const [a, b] = await Promise.all(servers.map((server) => session(clock, server.tcpResource as string)));
    const setUp = ":SENS:CURR:PROT 0.01;:SOUR:VOLT 1;:OUTP ON;:SENS:CURR:NPLC 10;:FORM:ELEM TIME";
    await Promise.all([a?.query(`${setUp};:TRIG:COUN 50;*OPC?`), b?.query(`${setUp};:TRIG:COUN 30;*OPC?`)]);
    const start = clock.now();
    const [timesA = [], timesB = []] = await Promise.all(
      [a, b].map(async (s) => (await (s as ScpiSession).query(":READ?")).split(",").map(Number)),
    );
    const cycle = 0.002 + 10 / 60;
    expect(timesA).toHaveLength(50);
    expect(timesB).toHaveLength(30);
    // Both acquisitions ran at once: B's last reading came before A's, and the clock moved by A's time alone.
    expect(timesB.at(-1)).toBeLessThan(timesA.at(-1) as number);
    expect(clock.now() - start).toBeCloseTo(50 * cycle + COMMAND_LATENCY, 9);
  });
});

describe("a session's declarations", () => {
  it("keeps none of a long run of writes once they have arrived: the clock holds nothing, and the next query goes", async () => {
    const clock = createBenchClock("event");
    const server = await serveVirtualKeithley2400({ clock, dut: new ResistorDut(1000), noise: false });
    closers.push(() => server.close());
    const s = await session(clock, server.tcpResource as string);
    let most = 0;
    for (let k = 0; k < 2000; k++) {
      await s.write(`:SOUR:VOLT ${(k % 10) / 100}`);
      // A plan doing other work between its writes: the server reads them meanwhile.
      await new Promise<void>((resolve) => setImmediate(resolve));
      most = Math.max(most, s.declaredLines);
    }
    // Only those still on the wire are kept (a few at most), not one per write of the run.
    expect(most).toBeLessThan(20);
    expect(await s.query("*OPC?")).toBe("1");
    expect(s.declaredLines).toBe(0);
    expect(clock.declared).toBe(0);
  });
});
