/**
 * The USB-TMC transport, through FIFOs standing in for the usbtmc node
 * (mkfifo, coreutils). A FIFO refuses terminal calls (ENOTTY) as the node
 * does, so a transport that made one would fail here. A FIFO carries one
 * direction: the transport writes commands to one and reads replies from
 * another (its test-only `replyPath`); a resource opens one node
 * read-write, which the `openTransport` tests check on a single FIFO with
 * commands only. The node is found through a sysfs tree built in a
 * temporary directory, laid out as the kernel lays it out.
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readlinkSync, writeSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, InstrumentTimeoutError, ResourceError } from "../../src/drivers/errors.js";
import { ScpiSession } from "../../src/drivers/scpi/session.js";
import type { Transport } from "../../src/drivers/transport.js";
import { openTransport } from "../../src/drivers/transports/open.js";
import { parseResource, type UsbInstrAddress } from "../../src/drivers/transports/resource.js";
import {
  findUsbtmcNode,
  listUsbtmcDevices,
  openUsbtmcTransport,
  ReplyLedger,
  repliesAsked,
} from "../../src/drivers/transports/usbtmc.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pms-usbtmc-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function mkfifo(...paths: string[]): void {
  execFileSync("mkfifo", paths);
}

/**
 * The instrument's end: reads command lines from `commandsPath`, and
 * writes each reply `answer` gives to `repliesPath` in one write (as the
 * usbtmc driver hands over one reply a read). Both are opened read-write,
 * which on Linux does not wait for the other end.
 */
class FifoInstrument {
  readonly received: string[] = [];
  readonly #commands: Socket;
  #replies: number | undefined;
  #partial = "";

  constructor(
    commandsPath: string,
    repliesPath: string | undefined,
    answer: (line: string) => string | undefined = () => undefined,
  ) {
    this.#replies = repliesPath === undefined ? undefined : openSync(repliesPath, "r+");
    this.#commands = new Socket({ fd: openSync(commandsPath, "r+"), readable: true, writable: false });
    this.#commands.on("data", (chunk: Buffer) => {
      const lines = (this.#partial + chunk.toString("latin1")).split("\n");
      this.#partial = lines.pop() ?? "";
      for (const line of lines) {
        this.received.push(line);
        const reply = answer(line);
        if (reply !== undefined) this.send(reply);
      }
    });
    cleanups.push(() => this.hangUp());
  }

  send(reply: string): void {
    if (this.#replies !== undefined) writeSync(this.#replies, reply, null, "latin1");
  }

  /** Closes both ends: a pending read of the transport sees end of file, a write EPIPE. */
  hangUp(): void {
    this.#commands.destroy();
    if (this.#replies !== undefined) closeSync(this.#replies);
    this.#replies = undefined;
  }
}

const PM100: Readonly<Record<string, string>> = {
  "*IDN?": "Thorlabs,PM100USB,P2000123,1.7.0\n",
  ":SENS:CORR:WAV?": "1.550000E+03\n",
  ":MEAS:POW?": "+1.234567E-03,+2.345678E-03\n",
};

/** Two FIFOs, a PM100-like instrument on their far end, and the transport on their near end. */
async function fifoTransport(
  answer: (line: string) => string | undefined = (line) => PM100[line],
  readBytes?: number,
): Promise<{ transport: Transport; instrument: FifoInstrument; commands: string; replies: string }> {
  const dir = await tempDir();
  const commands = join(dir, "commands");
  const replies = join(dir, "replies");
  mkfifo(commands, replies);
  const instrument = new FifoInstrument(commands, replies, answer);
  const transport = await openUsbtmcTransport({
    resource: `USBTMC${commands}::INSTR`,
    path: commands,
    replyPath: replies,
    ...(readBytes ? { readBytes } : {}),
  });
  cleanups.push(() => transport.close());
  return { transport, instrument, commands, replies };
}

/** Descriptors of this process open on `path`. */
function descriptorsOn(path: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe("USB-TMC transport over FIFOs", () => {
  it("carries commands and queries with no terminal call (a FIFO would refuse one)", async () => {
    const { transport, instrument } = await fifoTransport();
    const session = new ScpiSession(transport);
    expect(await session.identify()).toEqual({
      manufacturer: "Thorlabs",
      model: "PM100USB",
      serial: "P2000123",
      firmware: "1.7.0",
    });
    await session.write(":SENS:CORR:WAV 1550");
    expect(await session.query(":SENS:CORR:WAV?")).toBe("1.550000E+03");
    expect(instrument.received).toEqual(["*IDN?", ":SENS:CORR:WAV 1550", ":SENS:CORR:WAV?"]);
  });

  it("reads only while a reply is owed: nothing after a command, the next read after a query", async () => {
    const { transport, instrument } = await fifoTransport(() => undefined);
    const chunks: string[] = [];
    transport.onData((chunk) => chunks.push(Buffer.from(chunk).toString("latin1")));
    await transport.write(Buffer.from(":SENS:CORR:WAV 1550\n"));
    instrument.send("unasked\n");
    await sleep(50);
    expect(chunks).toEqual([]);
    await transport.write(Buffer.from("*IDN?\n"));
    await until(() => chunks.length > 0, "the read a query makes");
    expect(chunks.join("")).toBe("unasked\n");
  });

  it("reads a reply longer than one read in several", async () => {
    const { transport } = await fifoTransport(undefined, 8);
    const session = new ScpiSession(transport);
    expect(await session.query(":MEAS:POW?")).toBe("+1.234567E-03,+2.345678E-03");
    expect(await session.query("*IDN?")).toBe("Thorlabs,PM100USB,P2000123,1.7.0");
  });

  it("close with a read pending: resolves at once, hands nothing on after, releases the node when the read returns", async () => {
    const { transport, instrument, commands, replies } = await fifoTransport(() => undefined);
    const chunks: Uint8Array[] = [];
    const closes: (Error | undefined)[] = [];
    transport.onData((chunk) => chunks.push(chunk));
    transport.onClose((error) => closes.push(error));
    await transport.write(Buffer.from(":MEAS:POW?\n"));
    await sleep(20);
    const started = Date.now();
    await transport.close();
    expect(Date.now() - started).toBeLessThan(100);
    expect(closes).toEqual([undefined]);
    // The instrument's ends and the transport's: a descriptor is never closed under a pending read.
    expect([descriptorsOn(commands), descriptorsOn(replies)]).toEqual([2, 2]);
    instrument.send("+1.0E-03\n");
    await until(() => descriptorsOn(commands) === 1 && descriptorsOn(replies) === 1, "the node released");
    expect(chunks).toEqual([]);
    await transport.close(); // idempotent
    const error = await transport.write(Buffer.from("*IDN?\n")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(`USBTMC${commands}::INSTR: cannot write, ${commands} is closed`);
  });

  it("the far end gone: a write fails with a ConnectionError naming the node, and the transport closes", async () => {
    const { transport, instrument, commands } = await fifoTransport();
    const closes: (Error | undefined)[] = [];
    transport.onClose((error) => closes.push(error));
    const session = new ScpiSession(transport, { timeoutMs: 200 });
    expect(await session.query(":SENS:CORR:WAV?")).toBe("1.550000E+03");
    instrument.hangUp();
    const error = await session.write(":SENS:CORR:WAV 1310").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`writing to ${commands} failed: EPIPE`));
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(ConnectionError);
    await expect(session.query("*IDN?")).rejects.toBeInstanceOf(ConnectionError);
  });

  it("a query the instrument leaves unanswered times out in the session, which then resynchronises", async () => {
    const { transport } = await fifoTransport((line) =>
      line === "BAD?" ? undefined : (PM100[line] ?? "1\n"),
    );
    const session = new ScpiSession(transport);
    await expect(session.query("BAD?", { timeoutMs: 50 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    expect(await session.query("*IDN?")).toBe("Thorlabs,PM100USB,P2000123,1.7.0");
  });
});

describe("USB-TMC transport: opening", () => {
  it("a node that does not exist: a ResourceError naming it and what to check", async () => {
    const dir = await tempDir();
    const path = join(dir, "usbtmc7");
    const resource = `USBTMC${path}::INSTR`;
    const error = await openTransport(resource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ resource });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${resource}: ${path} does not exist \\(is the instrument plugged in.*usbtmc kernel module`,
      ),
    );
  });

  it("a path that is no device node: a ConnectionError naming it", async () => {
    const dir = await tempDir();
    const error = await openTransport(`USBTMC${dir}::INSTR`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`cannot open ${dir}: EISDIR`));
  });

  it("a node the user may not open: a ConnectionError that says how to allow it (udev rule, group)", async () => {
    const dir = await tempDir();
    const path = join(dir, "usbtmc0");
    mkfifo(path);
    await chmod(path, 0o000);
    const resource = `USBTMC${path}::INSTR`;
    let name: string;
    let message: string;
    if (process.getuid?.() !== 0) {
      const error = await openTransport(resource).catch((e: unknown) => e);
      name = (error as Error).constructor.name;
      message = (error as Error).message;
    } else {
      // Root opens anything: the open is made by a root without the capabilities that bypass file
      // permissions (setpriv, util-linux, drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
      // bounding set before exec), through the build; the project's own root-owned files stay readable.
      const script = `
        import { openTransport } from ${JSON.stringify(join(process.cwd(), "dist/src/drivers/transports/open.js"))};
        const error = await openTransport(${JSON.stringify(resource)}).catch((e) => e);
        console.log(JSON.stringify({ name: error.constructor.name, message: error.message }));`;
      const out = execFileSync(
        "setpriv",
        [
          "--bounding-set=-dac_override,-dac_read_search",
          process.execPath,
          "--input-type=module",
          "-e",
          script,
        ],
        { encoding: "utf8" },
      );
      ({ name, message } = JSON.parse(out) as { name: string; message: string });
    }
    expect(name).toBe(ConnectionError.name);
    expect(message).toMatch(/no permission to open .*udev rule.*GROUP="plugdev"/);
  });
});

describe("repliesAsked", () => {
  it.each<[string, number]>([
    ["*IDN?\n", 1],
    [":SENS:CORR:WAV 1550\n", 0],
    [":SYST:ERR?;*OPC?\n", 1],
    [":MEAS:POW?\n*IDN?\n", 2],
    ["*IDN?", 1],
    ['DISP:TEXT "why?"\n', 0],
    ["DISP:TEXT 'it''s?'\n", 0],
    [":DATA #15ab?de\n", 0],
    [":DATA #15ab?de;:DATA?\n", 1],
    [":DATA #0ab?\n", 0],
    [":STAT:ENAB #H1F;:STAT:ENAB?\n", 1],
  ])("%j asks for %i", (message, replies) => {
    expect(repliesAsked(Buffer.from(message, "latin1"))).toBe(replies);
  });
});

describe("ReplyLedger", () => {
  type Step = "query" | "command" | "read" | "full read" | "timeout";
  it.each<[string, Step[], number]>([
    ["a query answered", ["query", "read"], 0],
    ["a command owes nothing", ["command"], 0],
    ["a reply longer than a read", ["query", "full read", "full read", "read"], 0],
    ["a slow reply, nothing written since: waits on", ["query", "timeout", "timeout"], 1],
    [
      "a reply that ended with a full read: the read for its rest times out",
      ["query", "full read", "timeout"],
      0,
    ],
    ["timed out after the caller sent a command: written off", ["query", "command", "timeout"], 0],
    [
      "timed out after the caller sent another query: the first written off",
      ["query", "query", "timeout"],
      1,
    ],
    ["that other query then answered", ["query", "query", "timeout", "read"], 0],
    ["a read past what was owed changes nothing", ["read", "timeout"], 0],
  ])("%s", (_name, steps, owed) => {
    const ledger = new ReplyLedger();
    for (const step of steps) {
      if (step === "query") ledger.sent(1);
      if (step === "command") ledger.sent(0);
      if (step === "read") ledger.read(false);
      if (step === "full read") ledger.read(true);
      if (step === "timeout") ledger.timedOut();
    }
    expect(ledger.owed).toBe(owed);
  });
});

/**
 * A sysfs tree as the kernel lays it out: `class/usbmisc/usbtmcN/device`
 * links to the USB-TMC interface, whose parent is the USB device.
 */
async function fakeSysfs(
  devices: readonly {
    node: string;
    port: string;
    vendor: string;
    product: string;
    serial?: string;
    interfaceNumber?: string;
  }[],
): Promise<{ sysfsRoot: string; devRoot: string }> {
  const sysfsRoot = await tempDir();
  const devRoot = await tempDir();
  const classDir = join(sysfsRoot, "class", "usbmisc");
  await mkdir(classDir, { recursive: true });
  await mkdir(join(classDir, "hiddev0"));
  for (const device of devices) {
    const usbDevice = join(sysfsRoot, "devices", "pci0000:00", "0000:00:14.0", "usb1", device.port);
    const usbInterface = join(usbDevice, `${device.port}:1.${device.interfaceNumber ?? "0"}`);
    await mkdir(usbInterface, { recursive: true });
    await writeFile(join(usbDevice, "idVendor"), `${device.vendor}\n`);
    await writeFile(join(usbDevice, "idProduct"), `${device.product}\n`);
    if (device.serial !== undefined) await writeFile(join(usbDevice, "serial"), `${device.serial}\n`);
    await writeFile(
      join(usbInterface, "bInterfaceNumber"),
      `${(device.interfaceNumber ?? "0").padStart(2, "0")}\n`,
    );
    await mkdir(join(classDir, device.node));
    await symlink(
      join(
        "..",
        "..",
        "..",
        "devices",
        "pci0000:00",
        "0000:00:14.0",
        "usb1",
        device.port,
        `${device.port}:1.${device.interfaceNumber ?? "0"}`,
      ),
      join(classDir, device.node, "device"),
    );
  }
  return { sysfsRoot, devRoot };
}

const BENCH = [
  { node: "usbtmc0", port: "1-2", vendor: "1313", product: "8072", serial: "P2000123" },
  { node: "usbtmc1", port: "1-3", vendor: "1313", product: "8078", serial: "P0012345" },
  { node: "usbtmc10", port: "1-4", vendor: "0957", product: "1796" },
];

function address(resource: string): UsbInstrAddress {
  const parsed = parseResource(resource);
  if (parsed.kind !== "usb-instr") throw new Error(`not a USB resource: ${resource}`);
  return parsed;
}

describe("finding the usbtmc node of a USB resource", () => {
  it("lists the usbtmc nodes in node order with their devices' identity, skipping other usbmisc nodes", async () => {
    const lookup = await fakeSysfs([BENCH[2], BENCH[1], BENCH[0]].filter((d) => d !== undefined));
    expect(await listUsbtmcDevices(lookup)).toEqual([
      {
        path: join(lookup.devRoot, "usbtmc0"),
        vendorId: 0x1313,
        productId: 0x8072,
        serial: "P2000123",
        interfaceNumber: 0,
      },
      {
        path: join(lookup.devRoot, "usbtmc1"),
        vendorId: 0x1313,
        productId: 0x8078,
        serial: "P0012345",
        interfaceNumber: 0,
      },
      { path: join(lookup.devRoot, "usbtmc10"), vendorId: 0x0957, productId: 0x1796, interfaceNumber: 0 },
    ]);
  });

  it.each([
    ["USB0::0x1313::0x8072::P2000123::INSTR", "usbtmc0"],
    ["USB::4883::32888::P0012345::INSTR", "usbtmc1"],
    ["usb0::0x1313::0x8072::p2000123::0::instr", "usbtmc0"],
  ])("%s is %s", async (resource, node) => {
    const lookup = await fakeSysfs(BENCH);
    expect(await findUsbtmcNode(address(resource), lookup)).toBe(join(lookup.devRoot, node));
  });

  it("no match: a ResourceError naming what was looked for and listing what was found", async () => {
    const lookup = await fakeSysfs(BENCH);
    const resource = "USB0::0x1313::0x8072::P2000999::INSTR";
    const error = await findUsbtmcNode(address(resource), lookup).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect((error as Error).message).toBe(
      `${resource}: no USB-TMC instrument with vendor id 0x1313, product id 0x8072, serial P2000999; found: ` +
        `USB0::0x1313::0x8072::P2000123::0::INSTR (${lookup.devRoot}/usbtmc0); ` +
        `USB0::0x1313::0x8078::P0012345::0::INSTR (${lookup.devRoot}/usbtmc1); ` +
        `USB0::0x0957::0x1796::(no serial)::0::INSTR (${lookup.devRoot}/usbtmc10)`,
    );
  });

  it("an interface number that does not match is no match", async () => {
    const lookup = await fakeSysfs(BENCH);
    await expect(findUsbtmcNode(address("USB0::0x1313::0x8072::P2000123::1::INSTR"), lookup)).rejects.toThrow(
      /no USB-TMC instrument with .*, interface 1; found: /,
    );
  });

  it("no usbtmc device at all: says so, and what to check", async () => {
    const sysfsRoot = await tempDir();
    const error = await findUsbtmcNode(address("USB0::0x1313::0x8072::P2000123::INSTR"), { sysfsRoot }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResourceError);
    expect((error as Error).message).toMatch(
      new RegExp(`found no usbtmc device in ${sysfsRoot}/class/usbmisc \\(is the instrument plugged in`),
    );
  });

  it("two interfaces of one device match: asks for the interface number", async () => {
    const lookup = await fakeSysfs([
      {
        node: "usbtmc0",
        port: "1-2",
        vendor: "1313",
        product: "8072",
        serial: "P2000123",
        interfaceNumber: "0",
      },
      {
        node: "usbtmc1",
        port: "1-2",
        vendor: "1313",
        product: "8072",
        serial: "P2000123",
        interfaceNumber: "1",
      },
    ]);
    await expect(findUsbtmcNode(address("USB0::0x1313::0x8072::P2000123::INSTR"), lookup)).rejects.toThrow(
      /2 usbtmc interfaces have .*; add the interface number before ::INSTR/,
    );
  });

  it("skips a node whose device went away while it looked (a dangling link)", async () => {
    const lookup = await fakeSysfs(BENCH);
    await rm(join(lookup.sysfsRoot, "devices", "pci0000:00", "0000:00:14.0", "usb1", "1-3"), {
      recursive: true,
    });
    expect((await listUsbtmcDevices(lookup)).map(({ path }) => path)).toEqual([
      join(lookup.devRoot, "usbtmc0"),
      join(lookup.devRoot, "usbtmc10"),
    ]);
  });
});

describe("openTransport: USB resources", () => {
  it("USB::…::INSTR opens the node it finds, read-write, and commands reach it", async () => {
    const lookup = await fakeSysfs(BENCH);
    const node = join(lookup.devRoot, "usbtmc1");
    mkfifo(node);
    const instrument = new FifoInstrument(node, undefined);
    const resource = "USB0::0x1313::0x8078::P0012345::INSTR";
    const transport = await openTransport(resource, { usbtmc: lookup });
    cleanups.push(() => transport.close());
    expect(transport.resource).toBe(resource);
    await transport.write(Buffer.from(":SENS:CORR:WAV 1550\n"));
    await until(() => instrument.received.length > 0, "the command");
    expect(instrument.received).toEqual([":SENS:CORR:WAV 1550"]);
  });

  it("USBTMC<path>::INSTR opens that node", async () => {
    const dir = await tempDir();
    const node = join(dir, "pm100");
    mkfifo(node);
    const instrument = new FifoInstrument(node, undefined);
    const transport = await openTransport(`USBTMC${node}::INSTR`);
    cleanups.push(() => transport.close());
    await transport.write(Buffer.from("*CLS\n"));
    await until(() => instrument.received.length > 0, "the command");
    expect(instrument.received).toEqual(["*CLS"]);
  });

  it("a USB resource no device answers to: the ResourceError of the lookup", async () => {
    const lookup = await fakeSysfs(BENCH);
    const resource = "USB0::0x1313::0x8076::M00000001::INSTR";
    const error = await openTransport(resource, { usbtmc: lookup }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ resource });
  });
});
