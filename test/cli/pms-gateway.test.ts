/**
 * `pms keys new` and `pms gateway`, as the compiled bin (the global setup
 * builds it): the files a key pair makes, the command lines refused before
 * anything opens, and a gateway over a bench file (virtual instruments
 * served in this process, whose records say what they were commanded) that
 * a client calls, that `--status` shows the hold of, and that a SIGINT
 * closes with the instruments made safe.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SafetyLimitError } from "../../src/drivers/errors.js";
import { connectGateway } from "../../src/gateway/index.js";
import { parseAllowlist, readKeyFile } from "../../src/gateway/security.js";
import { type SourceState, serveVirtualBench } from "../../src/virtual/index.js";

const PMS = join(process.cwd(), "dist", "src", "cli", "pms.js");
const run = promisify(execFile);
const children: ChildProcess[] = [];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pms-gateway-test-"));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts `pms gateway <args> --bind tcp://127.0.0.1:<port>` on a port below the ephemeral range
 * (retrying another if it is taken) and resolves once it serves.
 */
async function startGateway(
  args: string[],
): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  for (let attempt = 0; ; attempt++) {
    const endpoint = `tcp://127.0.0.1:${20_000 + Math.floor(Math.random() * 10_000)}`;
    const child = spawn(process.execPath, [PMS, "gateway", ...args, "--bind", endpoint], {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: dir,
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const served = await new Promise<boolean>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ctrl-C")) resolve(true);
      });
      child.once("exit", (code) => {
        if (/Address already in use/.test(err) && attempt < 5) resolve(false);
        else reject(new Error(`pms gateway exited with ${code}: ${out}${err}`));
      });
    });
    if (served) return { child, endpoint, output: () => out };
  }
}

/** A command line's exit code and output, without throwing on a failure. */
async function pms(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [PMS, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("pms keys new", () => {
  it("writes a key pair readable by its owner alone and a public-key line for an allowlist, and never overwrites one", async () => {
    const made = await pms(["keys", "new", "alice", "--dir", dir]);
    expect(made.code).toBe(0);
    const pair = await readKeyFile(join(dir, "alice.key"));
    expect(statSync(join(dir, "alice.key")).mode & 0o777).toBe(0o600);
    const line = readFileSync(join(dir, "alice.pub"), "utf8");
    expect(parseAllowlist(line)).toEqual(new Set([pair.publicKey]));
    expect(line).toMatch(/ # alice, made \d{4}-\d{2}-\d{2}\n$/);
    expect(made.stdout).toContain(pair.publicKey);
    const again = await pms(["keys", "new", "alice", "--dir", dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/alice.key exists; a key pair is not overwritten/);
    expect((await readKeyFile(join(dir, "alice.key"))).secretKey).toBe(pair.secretKey);
  });
});

describe("pms gateway", () => {
  it("refuses to serve without keys unless --insecure, and --insecure off loopback", async () => {
    const bare = await pms(["gateway", "--virtual"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/encrypts and authenticates with CURVE: give --keys .* and --allow/);
    const wide = await pms(["gateway", "--virtual", "--insecure", "--bind", "tcp://0.0.0.0:5555"]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/insecure mode binds to loopback only/);
  });

  it("serves a bench file's instruments to a client, shows its hold in --status, and on SIGINT makes them safe and exits 0", async () => {
    // The instruments live in this process (wall clock), so what they were commanded can be read here.
    const records: SourceState[] = [];
    const virtual = await serveVirtualBench({
      clock: "wall",
      clockControl: false,
      instruments: {
        smu1: {
          model: "keithley2400",
          port: "memristor",
          noise: false,
          onSource: (state) => records.push(state),
        },
        smu2: { model: "keithley2450", port: "heater", noise: false },
      },
    });
    const benchPath = join(dir, "bench.json");
    writeFileSync(
      benchPath,
      JSON.stringify({
        name: "gateway CLI test bench",
        instruments: {
          smu1: {
            driver: "keithley2400",
            resource: virtual.resources.instruments.smu1?.tcp,
            connects: "memristor",
            limits: { maxAbsVoltage: 1, maxVoltageStep: 0.5 },
          },
          smu2: {
            driver: "keithley2450",
            resource: virtual.resources.instruments.smu2?.tcp,
            connects: "heater",
          },
        },
      }),
    );
    try {
      const { child, endpoint, output } = await startGateway(["--bench", benchPath, "--insecure"]);
      expect(output()).toMatch(
        new RegExp(`serving smu1 \\(keithley2400\\), smu2 \\(keithley2450\\) on ${endpoint}`),
      );
      const alice = connectGateway(endpoint, { name: "alice", timeoutMs: 5000 });
      await alice.call("smu1", "SourceMeter.outputEnabled.set", [true]);
      await alice.call("smu1", "SourceMeter.rampTo", [0.3]);
      const reading = (await alice.call("smu1", "SourceMeter.read")) as Record<string, number>;
      expect(reading.voltage).toBeCloseTo(0.3, 2);
      // The bench file's limit holds for a remote client.
      expect(await alice.call("smu1", "SourceMeter.rampTo", [2]).catch((e: unknown) => e)).toBeInstanceOf(
        SafetyLimitError,
      );
      // Another process on this host: both stamp host-monotonic time, so the offset is 0 within its uncertainty.
      const clock = await alice.estimateClock(8);
      expect(Math.abs(clock?.offset ?? 1)).toBeLessThanOrEqual((clock?.uncertainty ?? 0) + 1e-6);
      const status = await pms(["gateway", "--status", "--connect", endpoint, "--insecure"]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/smu1\s+source-meter\s+keithley2400\s+alice \(routing id [0-9a-f]+\)/);
      expect(status.stdout).toMatch(/smu2\s+source-meter\s+keithley2450\s+free/);
      expect(records.at(-1)).toMatchObject({ outputEnabled: true, level: 0.3 });
      // SIGINT while alice still holds smu1 with its output on: the gateway makes it safe before it exits.
      const exited = once(child, "exit");
      child.kill("SIGINT");
      const [code] = await exited;
      expect(code).toBe(0);
      expect(output()).toMatch(
        /SIGINT: closing the bench \(light off, sources to zero, outputs off\)\nclosed\n$/,
      );
      expect(records.at(-1)).toMatchObject({ outputEnabled: false, level: 0 });
      await alice.close();
    } finally {
      await virtual.close();
    }
  });
});
