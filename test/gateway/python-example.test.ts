/**
 * The gateway's Python example (examples/python/gateway_call.py) against a
 * CURVE gateway in this process: Debian's python3-zmq and python3-protobuf,
 * run by /usr/bin/python3 (the python3 first on PATH may be another), with
 * the message code protoc makes from proto/. The call example reads a
 * setting, is refused a setpoint over the bench's limit (which the
 * instrument never sees), and an unknown key gets nothing; the telemetry
 * example prints the batches of readings taken through the gateway.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";
import { connectGateway, type Gateway, serveGateway } from "../../src/gateway/index.js";
import { newKeyPair, writeKeyFile } from "../../src/gateway/security.js";
import { type SourceState, serveVirtualBench, type VirtualBench } from "../../src/virtual/index.js";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const EXAMPLE = join(process.cwd(), "examples", "python", "gateway_call.py");
const WATCH = join(process.cwd(), "examples", "python", "telemetry_watch.py");
let dir: string;
let virtual: VirtualBench;
let gateway: Gateway;
const records: SourceState[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pms-python-gateway-"));
  records.length = 0;
  await run("protoc", ["-I", "proto", `--python_out=${dir}`, "proto/gateway.proto", "proto/pms.proto"]);
  virtual = await serveVirtualBench({
    clock: "event",
    clockControl: false,
    instruments: {
      smu1: { model: "keithley2400", port: "memristor", noise: false, onSource: (s) => records.push(s) },
    },
  });
});

afterEach(async () => {
  await gateway?.close();
  await virtual.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the example; resolves with its exit code and output. */
async function example(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(PYTHON, [EXAMPLE, ...args], {
      env: { ...process.env, PYTHONPATH: dir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

it("calls an instrument through a CURVE gateway from Python; the bench's limit refuses for it too; an unknown key gets nothing", async () => {
  const [server, alice, mallory] = [newKeyPair(), newKeyPair(), newKeyPair()];
  await writeKeyFile(join(dir, "alice.key"), alice);
  await writeKeyFile(join(dir, "mallory.key"), mallory);
  gateway = await serveGateway(
    {
      name: "python example bench",
      instruments: {
        smu1: {
          driver: "keithley2400",
          resource: virtual.resources.instruments.smu1?.tcp,
          connects: "memristor",
          limits: { maxAbsVoltage: 1 },
        },
      },
    },
    {
      name: "gateway@test",
      open: { timebase: virtual.clock },
      curve: { keys: server, allow: [alice.publicKey] },
      log: () => undefined,
    },
  );
  const common = ["--connect", gateway.endpoint, "--server-key", server.publicKey];
  const read = await example([
    ...common,
    "--keys",
    join(dir, "alice.key"),
    "smu1",
    "SourceMeter.outputEnabled.get",
  ]);
  expect(read).toMatchObject({ code: 0, stdout: "false\n" });
  expect(read.stderr).toContain("':OUTP?' -> '0'");
  const refused = await example([
    ...common,
    "--keys",
    join(dir, "alice.key"),
    "smu1",
    "SourceMeter.rampTo",
    "5",
  ]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(
    /^SAFETY_LIMIT: .*refused 5 V: safety limit maxAbsVoltage is 1 V; nothing was sent/,
  );
  expect(Math.max(0, ...records.map((s) => Math.abs(s.level)))).toBeLessThanOrEqual(1);
  const intruder = await example([
    ...common,
    "--keys",
    join(dir, "mallory.key"),
    "--timeout",
    "1",
    "smu1",
    "SourceMeter.read",
  ]);
  expect(intruder.code).toBe(1);
  expect(intruder.stderr).toMatch(/no reply .* within 1.0 s/);
  expect(gateway.counters.refusedHandshakes).toBeGreaterThanOrEqual(1);
  // The example released what it used: nothing is held.
  expect(gateway.holders()).toEqual({});
});

it("watches the gateway's telemetry from Python: the SampleBatches of readings taken through it, decoded, numbered", async () => {
  const [server, alice] = [newKeyPair(), newKeyPair()];
  await writeKeyFile(join(dir, "alice.key"), alice);
  gateway = await serveGateway(
    {
      name: "python telemetry bench",
      instruments: {
        smu1: {
          driver: "keithley2400",
          resource: virtual.resources.instruments.smu1?.tcp,
          connects: "memristor",
        },
      },
    },
    {
      name: "gateway@test",
      open: { timebase: virtual.clock },
      curve: { keys: server, allow: [alice.publicKey] },
      telemetry: "tcp://127.0.0.1:*",
      log: () => undefined,
    },
  );
  const watcher = run(
    PYTHON,
    [
      WATCH,
      "--connect",
      gateway.telemetryEndpoint as string,
      "--keys",
      join(dir, "alice.key"),
      "--server-key",
      server.publicKey,
      "--topic",
      "smu1.",
      "--count",
      "4",
      "--timeout",
      "20",
    ],
    { env: { ...process.env, PYTHONPATH: dir } },
  );
  let done = false;
  void watcher.finally(() => {
    done = true;
  });
  const calls = connectGateway(gateway.endpoint, {
    name: "alice",
    curve: { serverKey: server.publicKey, keys: alice },
  });
  try {
    await calls.call("smu1", "SourceMeter.outputEnabled.set", [true]);
    await calls.call("smu1", "SourceMeter.rampTo", [0.2]);
    // Readings until the watcher has its four batches (its subscription takes a moment to arrive).
    for (let k = 0; k < 200 && !done; k++) {
      await calls.call("smu1", "SourceMeter.read");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await calls.close();
  }
  const { stdout, stderr } = await watcher;
  expect(stderr).toBe("");
  const batches = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(batches).toHaveLength(4);
  for (const batch of batches) {
    expect(["smu1.voltage", "smu1.current"]).toContain(batch.source);
    expect(batch.unit).toBe(batch.source === "smu1.voltage" ? "V" : "A");
    expect(batch.values).toHaveLength(1);
    expect(batch.times).toHaveLength(1);
  }
  const voltages = batches.filter((b) => b.source === "smu1.voltage");
  for (const v of voltages) expect(v.values[0]).toBeCloseTo(0.2, 6);
  // Numbered per source, one after another.
  const numbers = voltages.map((b) => b.sequence);
  expect(numbers).toEqual(numbers.map((_, k) => (numbers[0] as number) + k));
});
