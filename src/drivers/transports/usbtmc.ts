/**
 * A USB-TMC instrument (a Thorlabs PM100USB or PM100D) through the Linux
 * usbtmc driver's character device, `/dev/usbtmcN`: opened as a plain file
 * with `node:fs` (open, read, write on a descriptor), never through
 * serialport or terminal settings, which the node refuses (ENOTTY).
 *
 * What the driver does, from its source (drivers/usb/class/usbtmc.c):
 * - `write(2)` sends one USBTMC DEV_DEP_MSG_OUT message with EOM set (the
 *   file's default `eom_val` 1): one write is one program message.
 * - `read(2)` first asks the instrument for up to `count` bytes
 *   (REQUEST_DEV_DEP_MSG_IN), then waits for its Bulk-IN transfer for the
 *   file's timeout, 5000 ms by default (`USBTMC_TIMEOUT`; only the
 *   `USBTMC_IOCTL_SET_TIMEOUT` ioctl changes it), and fails with ETIMEDOUT
 *   if none comes. A read returns one whole reply when `count` is enough;
 *   a longer reply comes in several reads.
 * - Every read and write holds the device's `io_mutex` ("only one i/o
 *   function running at a time"): a write waits until a read in progress
 *   has its reply or times out.
 * And from IEEE 488.2 §6.3.2.2: asking an instrument for a reply when it
 * owes none is an error, -420 "Query UNTERMINATED" (Keithley 2400 manual,
 * B-9: "you address the instrument to talk, and there is no response").
 *
 * Hence reads are made on demand, not kept pending while the node is open:
 * one read is pending only while a reply is owed, that is after a program
 * message with a query in it (a `?` outside string data and blocks: see
 * {@link repliesAsked}) and until its reply has come. A read pending all the
 * time would stall each command up to the driver's timeout and make the
 * instrument queue -420. A read that times out in the driver is made again
 * while the reply it waits for is the last one asked for (a slow
 * measurement); once something else has been written (the session gave up
 * on it and moved on), that reply is written off. EAGAIN and EINTR are
 * retried. See {@link ReplyLedger}.
 *
 * Which node: `USB[board]::<vid>::<pid>::<serial>::INSTR` is looked up in
 * sysfs. `usb_register_dev` puts each node in the "usbmisc" class
 * (drivers/usb/core/file.c), named by the driver's "usbtmc%d": so
 * `/sys/class/usbmisc/usbtmcN/device` is the USB-TMC interface (with
 * `bInterfaceNumber`), and its parent the USB device, with `idVendor` and
 * `idProduct` (`"%04x\n"`) and, if the device has one, `serial`
 * (drivers/usb/core/sysfs.c). The node is `/dev/usbtmcN`.
 *
 * Closing while a read is pending cannot cut it short: the driver returns
 * within its timeout, and the descriptor is closed then; nothing from it
 * reaches a listener after close.
 *
 * Tested through two FIFOs standing in for the node (a FIFO carries one
 * direction, a node both): `replyPath` (for tests only) reads replies from
 * a second path; a resource always opens one node read-write.
 */
import { close as closeFd, constants, open as openFd, read as readFd, write as writeFd } from "node:fs";
import { readdir, readFile, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConnectionError, ResourceError } from "../errors.js";
import type { Transport } from "../transport.js";
import type { UsbInstrAddress } from "./resource.js";

export interface UsbtmcOptions {
  /** Resource string the node is reported under. */
  readonly resource: string;
  /** The device node, opened read-write: `/dev/usbtmc0`. */
  readonly path: string;
  /** Bytes one read asks for (default 64 KiB); a longer reply takes several reads. */
  readonly readBytes?: number;
  /**
   * Tests only: read replies from this path and write commands to `path`,
   * for two FIFOs standing in for one node.
   */
  readonly replyPath?: string;
}

/** Where to look for usbtmc nodes (injectable for tests). */
export interface UsbtmcLookup {
  /** Where sysfs is mounted (default "/sys"). */
  readonly sysfsRoot?: string;
  /** Where the device nodes are (default "/dev"). */
  readonly devRoot?: string;
}

/** One usbtmc node and the identity of the USB device behind it. */
export interface UsbtmcDevice {
  /** `/dev/usbtmc0`. */
  readonly path: string;
  readonly vendorId: number;
  readonly productId: number;
  /** Absent when the device reports no serial number. */
  readonly serial?: string;
  readonly interfaceNumber?: number;
}

const DEFAULT_READ_BYTES = 64 * 1024;

/** Wait before a read that came back EAGAIN or EINTR is made again, ms. */
const RETRY_MS = 10;

/**
 * Opens the node; a node that does not exist (or has no device behind it)
 * is a {@link ResourceError}, one that cannot be opened (permissions, busy)
 * a {@link ConnectionError}, each naming the node and what to do.
 */
export async function openUsbtmcTransport(options: UsbtmcOptions): Promise<Transport> {
  const { resource, path, replyPath } = options;
  const readBytes = options.readBytes ?? DEFAULT_READ_BYTES;
  if (!Number.isInteger(readBytes) || readBytes < 1) {
    throw new RangeError(`readBytes must be a whole number of bytes, at least 1, got ${readBytes}`);
  }
  if (replyPath === undefined) {
    const fd = await openNode(resource, path, constants.O_RDWR);
    return new UsbtmcTransport(resource, path, fd, fd, readBytes);
  }
  // Both at once: each open of a FIFO waits for the other end, which a peer may open in either order.
  const [writing, reading] = await Promise.allSettled([
    openNode(resource, path, constants.O_WRONLY),
    openNode(resource, replyPath, constants.O_RDONLY),
  ]);
  if (writing.status === "fulfilled" && reading.status === "fulfilled") {
    return new UsbtmcTransport(resource, path, reading.value, writing.value, readBytes);
  }
  for (const opened of [writing, reading]) if (opened.status === "fulfilled") closeFd(opened.value, () => {});
  throw writing.status === "rejected" ? writing.reason : (reading as PromiseRejectedResult).reason;
}

function openNode(resource: string, path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => {
    openFd(path, flags, (error, fd) =>
      error ? reject(describeOpenError(resource, path, error)) : resolve(fd),
    );
  });
}

function describeOpenError(resource: string, path: string, error: NodeJS.ErrnoException): Error {
  const options = { cause: error };
  switch (error.code) {
    case "ENOENT":
      return new ResourceError(
        `${resource}: ${path} does not exist (is the instrument plugged in and switched on, and the usbtmc ` +
          "kernel module loaded? `ls /dev/usbtmc*`, `lsmod | grep usbtmc`)",
        resource,
        options,
      );
    case "ENODEV":
    case "ENXIO":
      return new ResourceError(
        `${resource}: no device behind ${path} (was the instrument unplugged?)`,
        resource,
        options,
      );
    case "EACCES":
    case "EPERM":
      return new ConnectionError(
        `${resource}: no permission to open ${path}: let your user at it with a udev rule, e.g. ` +
          '`SUBSYSTEM=="usbmisc", KERNEL=="usbtmc[0-9]*", GROUP="plugdev", MODE="0660"` in ' +
          "/etc/udev/rules.d/, and join that group (then unplug and replug the instrument)",
        resource,
        options,
      );
    case "EBUSY":
      return new ConnectionError(
        `${resource}: ${path} is busy: another program holds the instrument (close its VISA session or driver)`,
        resource,
        options,
      );
    default:
      return new ConnectionError(`${resource}: cannot open ${path}: ${error.message}`, resource, options);
  }
}

/**
 * How many replies the instrument owes, which decides whether a read is
 * worth making (see the module doc). Every reply asked for is owed until a
 * read brings it (a read that fills its buffer brings only part of it; one
 * that brings nothing is a reply that came empty, or that the driver
 * dropped as malformed) or until it is written off: a read timed out in
 * the driver and, since that reply was asked for, another query or a
 * command went out, or the read was for the rest of a reply that had in
 * fact ended with the buffer full.
 */
export class ReplyLedger {
  #owed = 0;
  /** A command with no reply went out after the last query. */
  #movedOn = false;
  /** The last read filled its buffer: the next one is for the rest of that reply. */
  #continuing = false;

  get owed(): number {
    return this.#owed;
  }

  /** A program message went out asking for `replies` replies (0 for a command). */
  sent(replies: number): void {
    if (replies > 0) {
      this.#owed += replies;
      this.#movedOn = false;
    } else if (this.#owed > 0) {
      this.#movedOn = true;
    }
  }

  /** A read returned; `filled`: it filled its buffer, so the reply goes on. */
  read(filled: boolean): void {
    if (filled) this.#continuing = true;
    else this.#settleOne();
  }

  /** A read timed out in the driver: the oldest reply is written off if it ended or the caller moved on. */
  timedOut(): void {
    if (this.#continuing || this.#owed > 1 || this.#movedOn) this.#settleOne();
  }

  #settleOne(): void {
    this.#continuing = false;
    if (this.#owed === 0) return;
    this.#owed -= 1;
    if (this.#owed === 0) this.#movedOn = false;
  }
}

const LF = 0x0a;
const HASH = 0x23;
const QUERY = 0x3f;
const ZERO = 0x30;

/**
 * How many replies a write asks for: one per program message (ended by LF,
 * or the write's end) with a query header in it, a `?` outside string data
 * (`"…"`, `'…'`) and arbitrary block data (`#<n><length><bytes>`; an
 * indefinite `#0` block runs to the end): IEEE 488.2's program data, §7.7.
 */
export function repliesAsked(message: Uint8Array): number {
  let replies = 0;
  let query = false;
  for (let at = 0; at < message.length; at += 1) {
    const byte = message[at] as number;
    if (byte === 0x22 || byte === 0x27) {
      // A doubled quote inside string data closes it and opens it again: the same skip.
      const close = message.indexOf(byte, at + 1);
      if (close < 0) break;
      at = close;
    } else if (byte === HASH && at + 1 < message.length && isDigit(message[at + 1] as number)) {
      const digits = (message[at + 1] as number) - ZERO;
      if (digits === 0) break;
      let length = 0;
      for (let d = 0; d < digits; d += 1) length = length * 10 + ((message[at + 2 + d] ?? ZERO) - ZERO);
      at += 1 + digits + length;
    } else if (byte === QUERY) {
      query = true;
    } else if (byte === LF) {
      if (query) replies += 1;
      query = false;
    }
  }
  return query ? replies + 1 : replies;
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= ZERO + 9;
}

class UsbtmcTransport implements Transport {
  readonly #ledger = new ReplyLedger();
  readonly #buffer: Buffer;
  readonly #closeListeners: ((error?: Error) => void)[] = [];
  #listener: ((chunk: Uint8Array) => void) | undefined;
  #reading = false;
  /** Reads and writes in flight: the descriptors are closed once none is left. */
  #inFlight = 0;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  #released: Promise<void> | undefined;

  constructor(
    readonly resource: string,
    /** The node, for messages. */
    readonly node: string,
    readonly readFd: number,
    readonly writeFd: number,
    readBytes: number,
  ) {
    this.#buffer = Buffer.allocUnsafe(readBytes);
  }

  /** Sends `data` as one message (written again from where it stopped only if the OS took part of it). */
  write(data: Uint8Array): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new ConnectionError(`${this.resource}: cannot write, ${this.node} is closed`, this.resource),
      );
    }
    const replies = repliesAsked(data);
    return new Promise((resolve, reject) => {
      const send = (offset: number) => {
        this.#inFlight += 1;
        writeFd(this.writeFd, data, offset, data.byteLength - offset, null, (error, written) => {
          this.#inFlight -= 1;
          if (error) {
            const failure = this.#failure("writing to", error);
            reject(failure);
            if (!RETRYABLE.has(error.code ?? "")) this.#hangUp(failure);
          } else if (this.#closed) {
            reject(
              new ConnectionError(`${this.resource}: ${this.node} was closed while writing`, this.resource),
            );
          } else if (offset + written < data.byteLength) {
            return send(offset + written);
          } else {
            this.#ledger.sent(replies);
            this.#pump();
            resolve();
          }
          this.#releaseIfDone();
        });
      };
      send(0);
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.#listener = listener;
  }

  onClose(listener: (error?: Error) => void): void {
    this.#closeListeners.push(listener);
  }

  /** Resolves once the descriptors are closed, or at once if a read is still pending (see the module doc). */
  close(): Promise<void> {
    this.#end(undefined);
    return this.#releaseIfDone() ?? Promise.resolve();
  }

  /** Makes the one read, if a reply is owed and none is pending. */
  #pump(): void {
    if (this.#reading || this.#closed || this.#ledger.owed === 0) return;
    this.#reading = true;
    this.#inFlight += 1;
    readFd(this.readFd, this.#buffer, 0, this.#buffer.length, null, (error, bytes) => {
      this.#reading = false;
      this.#inFlight -= 1;
      if (this.#closed) {
        this.#releaseIfDone();
      } else if (error) {
        this.#readFailed(error);
      } else {
        this.#ledger.read(bytes === this.#buffer.length);
        if (bytes > 0) this.#listener?.(Buffer.from(this.#buffer.subarray(0, bytes)));
        this.#pump();
      }
    });
  }

  #readFailed(error: NodeJS.ErrnoException): void {
    if (error.code === "ETIMEDOUT") {
      this.#ledger.timedOut();
      this.#pump();
    } else if (RETRYABLE.has(error.code ?? "")) {
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#pump();
      }, RETRY_MS);
    } else {
      this.#hangUp(this.#failure("reading from", error));
    }
  }

  #failure(doing: string, error: NodeJS.ErrnoException): ConnectionError {
    const why =
      error.code === "ENODEV" || error.code === "ESHUTDOWN" || error.code === "ENXIO"
        ? `${this.node} went away (was the instrument unplugged or switched off?)`
        : error.code === "ETIMEDOUT"
          ? `the usbtmc driver timed out ${doing} ${this.node} (does the instrument still take commands?)`
          : `${doing} ${this.node} failed: ${error.message}`;
    return new ConnectionError(`${this.resource}: ${why}`, this.resource, { cause: error });
  }

  /** The node failed: the transport closes and tells its listeners why. */
  #hangUp(failure: ConnectionError): void {
    this.#end(failure);
    this.#releaseIfDone();
  }

  #end(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const listener of this.#closeListeners) listener(error);
  }

  /** Closes the descriptors once closed and nothing is in flight; the promise of that, if begun. */
  #releaseIfDone(): Promise<void> | undefined {
    if (!this.#closed || this.#inFlight > 0) return this.#released;
    this.#released ??= new Promise<void>((resolve) => {
      const fds = this.readFd === this.writeFd ? [this.readFd] : [this.readFd, this.writeFd];
      let left = fds.length;
      for (const fd of fds) closeFd(fd, () => --left === 0 && resolve());
    });
    return this.#released;
  }
}

/** Errors after which the same call may simply be made again. */
const RETRYABLE = new Set(["EAGAIN", "EINTR", "ETIMEDOUT"]);

/**
 * The usbtmc nodes and the USB devices behind them, in node order, from
 * `<sysfsRoot>/class/usbmisc/usbtmc*` (see the module doc); none if the
 * class is absent (the usbtmc module not loaded, or no USB misc device).
 */
export async function listUsbtmcDevices(lookup: UsbtmcLookup = {}): Promise<UsbtmcDevice[]> {
  const classDir = join(lookup.sysfsRoot ?? "/sys", "class", "usbmisc");
  const devRoot = lookup.devRoot ?? "/dev";
  const names = await readdir(classDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const nodes = names
    .filter((name) => /^usbtmc\d+$/.test(name))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  const devices: UsbtmcDevice[] = [];
  for (const name of nodes) {
    // realpath first: "device/.." must be the interface's parent, not the class entry's own directory.
    const usbInterface = await realpath(join(classDir, name, "device")).catch(() => undefined);
    if (usbInterface === undefined) continue; // unplugged while we looked
    const usbDevice = dirname(usbInterface);
    const [vendor, product, serial, interfaceNumber] = await Promise.all([
      attribute(usbDevice, "idVendor"),
      attribute(usbDevice, "idProduct"),
      attribute(usbDevice, "serial"),
      attribute(usbInterface, "bInterfaceNumber"),
    ]);
    if (vendor === undefined || product === undefined) continue;
    devices.push({
      path: join(devRoot, name),
      vendorId: Number.parseInt(vendor, 16),
      productId: Number.parseInt(product, 16),
      ...(serial !== undefined ? { serial } : {}),
      ...(interfaceNumber !== undefined ? { interfaceNumber: Number.parseInt(interfaceNumber, 16) } : {}),
    });
  }
  return devices;
}

/** A sysfs attribute's text, trimmed; undefined if the device has none. */
async function attribute(directory: string, name: string): Promise<string | undefined> {
  return readFile(join(directory, name), "latin1").then(
    (text) => text.trim(),
    () => undefined,
  );
}

/**
 * The node of the USB-TMC instrument `address` names: the one whose device
 * has its vendor id, product id and serial (compared ignoring case, as
 * VISA compares resource strings) and, if given, interface number. A
 * {@link ResourceError} lists what was found when none or several match.
 */
export async function findUsbtmcNode(address: UsbInstrAddress, lookup: UsbtmcLookup = {}): Promise<string> {
  const { resource } = address;
  const devices = await listUsbtmcDevices(lookup);
  const serial = address.serial.toUpperCase();
  const matches = devices.filter(
    (device) =>
      device.vendorId === address.vendorId &&
      device.productId === address.productId &&
      device.serial?.toUpperCase() === serial &&
      (address.interfaceNumber === undefined || device.interfaceNumber === address.interfaceNumber),
  );
  const [match] = matches;
  if (match && matches.length === 1) return match.path;
  const wanted =
    `vendor id ${hex(address.vendorId)}, product id ${hex(address.productId)}, serial ${address.serial}` +
    (address.interfaceNumber === undefined ? "" : `, interface ${address.interfaceNumber}`);
  if (matches.length > 1) {
    throw new ResourceError(
      `${resource}: ${matches.length} usbtmc interfaces have ${wanted}: ${matches.map(asResource).join("; ")}; ` +
        "add the interface number before ::INSTR",
      resource,
    );
  }
  const classDir = join(lookup.sysfsRoot ?? "/sys", "class", "usbmisc");
  const found =
    devices.length === 0
      ? `found no usbtmc device in ${classDir} (is the instrument plugged in and switched on, and the usbtmc ` +
        "kernel module loaded? `lsmod | grep usbtmc`)"
      : `found: ${devices.map(asResource).join("; ")}`;
  throw new ResourceError(`${resource}: no USB-TMC instrument with ${wanted}; ${found}`, resource);
}

function hex(id: number): string {
  return `0x${id.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A found device as the resource string that names it, and its node. */
function asResource(device: UsbtmcDevice): string {
  const serial = device.serial ?? "(no serial)";
  const interfaceNumber = device.interfaceNumber === undefined ? "" : `::${device.interfaceNumber}`;
  return `USB0::${hex(device.vendorId)}::${hex(device.productId)}::${serial}${interfaceNumber}::INSTR (${device.path})`;
}
