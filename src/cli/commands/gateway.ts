/**
 * `pms gateway` and `pms keys` (issue 19): serve a bench's instruments to
 * clients on other hosts, over ZeroMQ with CURVE keys, and make the keys.
 *
 *   pms keys new gateway              # gateway.key (the pair) and gateway.pub
 *   pms keys new alice                # a client's; append alice.pub to the gateway's allowlist
 *   pms gateway --bench bench.json --bind tcp://0.0.0.0:5555 --keys gateway.key --allow allowed.txt
 *   pms gateway --status --connect tcp://optics-pc:5555 --keys alice.key --server-key gateway.pub
 */
import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { serveEmbeddedBench } from "../../bench/embedded.js";
import { connectGateway, type GatewayClientOptions, serveGateway } from "../../gateway/index.js";
import {
  type CurveKeyPair,
  fingerprint,
  newKeyPair,
  parseAllowlist,
  readAllowlist,
  readKeyFile,
  writeKeyFile,
} from "../../gateway/security.js";
import { parseNumber } from "../options.js";

export function registerGateway(program: Command): void {
  const keys = program.command("keys").description("CURVE key pairs for the gateway and its clients");
  keys
    .command("new <name>")
    .description(
      "make a CURVE key pair: <name>.key (the pair, readable by you alone) and <name>.pub (its public key, as an allowlist line)",
    )
    .option("--dir <folder>", "where to write the two files", ".")
    .addHelpText(
      "after",
      `
A gateway needs its own pair (--keys gateway.key) and an allowlist with one line
per client: the contents of each client's .pub file. A client needs its pair and
the gateway's public key (gateway.pub).

Example:
  pms keys new gateway && pms keys new alice && cat alice.pub >> allowed.txt`,
    )
    .action(async (name: string, options: { dir: string }, command: Command) => {
      if (!/^[\w.-]+$/.test(name)) {
        command.error(
          `pms keys new: a key's name is letters, digits, '.', '_' or '-', not ${JSON.stringify(name)}`,
          {
            exitCode: 2,
          },
        );
      }
      const keyPath = join(options.dir, `${name}.key`);
      const pubPath = join(options.dir, `${name}.pub`);
      for (const path of [keyPath, pubPath]) {
        if (await exists(path)) {
          command.error(`pms keys new: ${path} exists; a key pair is not overwritten (remove it first)`, {
            exitCode: 2,
          });
        }
      }
      const pair = newKeyPair();
      await writeKeyFile(keyPath, pair);
      await writeFile(
        pubPath,
        `${pair.publicKey} # ${name}, made ${new Date().toISOString().slice(0, 10)}\n`,
      );
      console.log(`wrote ${keyPath} (the key pair: keep it to yourself) and ${pubPath} (the public key)`);
      console.log(`public key ${pair.publicKey}  (fingerprint ${fingerprint(pair.publicKey)})`);
    });

  program
    .command("gateway")
    .description(
      "serve the instruments of a bench to clients on other hosts: requests and replies on a ZeroMQ ROUTER, encrypted and authenticated with CURVE keys",
    )
    .option(
      "--bench <file>",
      "the bench file whose instruments the gateway owns (its safety limits are enforced here)",
    )
    .option("--virtual", "serve the embedded virtual bench instead of a bench file (to try it out)", false)
    .option("--bind <endpoint>", "ZeroMQ endpoint to serve on", "tcp://127.0.0.1:5555")
    .option(
      "--telemetry <endpoint>",
      "also publish every reading the calls take, as SampleBatches on a ZeroMQ PUB socket (same keys), e.g. tcp://127.0.0.1:5556",
    )
    .option("--keys <file>", "the gateway's key pair (pms keys new); with --status, the client's")
    .option("--allow <file>", "allowlist of client public keys, one per line (a .pub file's line each)")
    .option("--insecure", "no CURVE: no encryption, no authentication; loopback endpoints only", false)
    .option("--name <name>", "how replies and errors name the gateway (default gateway@<hostname>)")
    .option(
      "--heartbeat-timeout <s>",
      "a client silent this long loses its holds, and its instruments are made safe",
      parseNumber,
      10,
    )
    .addOption(
      new Option("--status", "ask a running gateway (--connect) for its instruments and holds, and exit"),
    )
    .option("--connect <endpoint>", "with --status: the gateway to ask")
    .option(
      "--server-key <file>",
      "with --status and CURVE: the gateway's .pub file (or its key, 40 characters)",
    )
    .addHelpText(
      "after",
      `
Clients call instruments, not bytes: a request names an instrument of the bench
and a method of its kind (SourceMeter.rampTo, PowerMeter.read,
SourceMeter.outputEnabled.set, ...), run through the gateway's own driver, whose
safety limits are the bench file's. One client holds an instrument at a time; a
client that stops sending heartbeats loses its holds and the instruments are
made safe. Ctrl-C (SIGINT) or SIGTERM closes the bench in its safe order (light
off, sources ramped to zero and outputs off).

Examples:
  pms gateway --virtual --insecure                        # the virtual bench on tcp://127.0.0.1:5555, no keys
  pms gateway --virtual --insecure --telemetry tcp://127.0.0.1:5556   # and its readings published
  pms gateway --bench bench.json --bind tcp://0.0.0.0:5555 --keys gateway.key --allow allowed.txt
  pms gateway --status --connect tcp://127.0.0.1:5555 --insecure`,
    )
    .action(async (options, command: Command) => {
      const fail = (message: string): never => command.error(`pms gateway: ${message}`, { exitCode: 2 });
      if (options.status) {
        await printStatus(options, fail);
        return;
      }
      if (!options.bench && !options.virtual)
        fail("give --bench <file>, or --virtual for the embedded virtual bench");
      if (options.bench && options.virtual) fail("--bench and --virtual are two benches: give one");
      if (!options.insecure && !(options.keys && options.allow)) {
        fail(
          "the gateway encrypts and authenticates with CURVE: give --keys (its pair, `pms keys new gateway`) and " +
            "--allow (the clients' public keys), or --insecure on a loopback endpoint",
        );
      }
      // Listened to for the whole life of the command: a second Ctrl-C while the bench is being made safe
      // must not kill the process halfway (Node's default on an unhandled SIGINT); it is told to wait.
      let stopping = false;
      const stopRequested = new Promise<string>((resolve) => {
        const onSignal = (signal: string) => {
          if (stopping) {
            console.log(`${signal}: still making the bench safe; waiting for it to finish`);
            return;
          }
          stopping = true;
          resolve(signal);
        };
        process.on("SIGINT", () => onSignal("SIGINT"));
        process.on("SIGTERM", () => onSignal("SIGTERM"));
      });
      const curve = options.insecure
        ? undefined
        : { keys: await readKeyFile(options.keys), allow: await readAllowlist(options.allow) };
      const embedded = options.virtual ? await serveEmbeddedBench({ clock: "event" }) : undefined;
      let gateway: Awaited<ReturnType<typeof serveGateway>>;
      try {
        gateway = await serveGateway(embedded ? embedded.file : options.bench, {
          endpoint: options.bind,
          ...(options.telemetry && { telemetry: options.telemetry }),
          ...(options.name && { name: options.name }),
          heartbeatTimeoutMs: options.heartbeatTimeout * 1000,
          ...(curve ? { curve } : { insecure: true }),
          ...(embedded && { open: { timebase: embedded.clock } }),
          log: (line) => console.log(line),
        });
      } catch (error) {
        await embedded?.close();
        return fail((error as Error).message);
      }
      const instruments = Object.entries(gateway.bench.entries)
        .map(([name, entry]) => `${name} (${entry.driver})`)
        .join(", ");
      console.log(`${gateway.name}: serving ${instruments} on ${gateway.endpoint}`);
      if (gateway.telemetryEndpoint) console.log(`telemetry on ${gateway.telemetryEndpoint}`);
      console.log(
        curve
          ? `CURVE: public key ${curve.keys.publicKey}, ${[...curve.allow].length} client key(s) allowed`
          : "insecure: no encryption and no authentication (loopback only)",
      );
      console.log("Ctrl-C to stop (the bench is closed in its safe order)");
      const signal = await stopRequested;
      console.log(`${signal}: closing the bench (light off, sources to zero, outputs off)`);
      await gateway.close();
      await embedded?.close();
      console.log("closed");
    });
}

async function printStatus(
  options: { connect?: string; keys?: string; serverKey?: string; insecure: boolean },
  fail: (message: string) => never,
): Promise<void> {
  if (!options.connect) fail("--status needs --connect <endpoint>");
  let curve: GatewayClientOptions["curve"];
  if (!options.insecure) {
    if (!options.keys || !options.serverKey) {
      fail(
        "--status with CURVE needs --keys (this client's pair) and --server-key (the gateway's .pub); or --insecure",
      );
    }
    const keys: CurveKeyPair = await readKeyFile(options.keys as string);
    curve = { keys, serverKey: await readServerKey(options.serverKey as string) };
  }
  const client = connectGateway(options.connect as string, {
    name: "pms gateway --status",
    timeoutMs: 5000,
    ...(curve && { curve }),
  });
  try {
    const status = await client.status();
    console.log(`${status.gateway} at ${options.connect}`);
    for (const i of status.instruments) {
      console.log(`  ${i.name.padEnd(10)} ${i.kind.padEnd(14)} ${i.driver.padEnd(16)} ${i.heldBy || "free"}`);
    }
    console.log(
      `  requests ${status.requests}, replies ${status.replies}, refused ${status.refused}, holds expired ${status.expiredHolds}`,
    );
  } catch (error) {
    fail((error as Error).message);
  } finally {
    await client.close();
  }
}

/** A gateway's public key: a .pub file's first key, or the key itself. */
async function readServerKey(value: string): Promise<string> {
  if (/^\S{40}$/.test(value) && !(await exists(value))) return [...parseAllowlist(value)][0] as string;
  const keys = [...parseAllowlist(await readFile(value, "utf8"), value)];
  if (keys.length === 0) throw new Error(`${value}: no public key in it`);
  return keys[0] as string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
