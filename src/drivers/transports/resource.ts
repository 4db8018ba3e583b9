/**
 * VISA-style resource strings (DESIGN.md, "Drivers"), parsed into what a
 * transport needs to open the connection. Keywords are case-insensitive, as
 * in VISA; paths and host names are kept as written.
 *
 * Supported forms:
 * - `TCPIP[board]::<host>::<port>::SOCKET` — raw SCPI socket (port 5025 on most LAN instruments)
 * - `ASRL<device path>::INSTR` — serial port by path, e.g. `ASRL/dev/ttyUSB0::INSTR`
 * - `USB[board]::<vendor id>::<product id>::<serial>[::<interface number>]::INSTR` — a USB-TMC
 *   instrument by identity, e.g. `USB0::0x1313::0x8072::P2000123::INSTR` (a Thorlabs PM100USB).
 *   As in VISA, ids are hexadecimal with `0x` or decimal (`0x1313` = `4883`). It is found
 *   through the Linux usbtmc driver's device nodes (src/drivers/transports/usbtmc.ts); the
 *   board number is accepted and ignored (Linux has one USB tree to search).
 * - `USBTMC<device path>::INSTR` — a usbtmc device node by path, e.g. `USBTMC/dev/usbtmc0::INSTR`
 *   or a udev symlink such as `USBTMC/dev/pm100::INSTR`. Not a VISA form: for a node
 *   whose number is known, or named by a udev rule.
 *
 * Numbered serial boards (`ASRL3::INSTR`, `ASRLCOM3::INSTR`) are a Windows /
 * NI-VISA convention whose mapping to a Linux device is not fixed (ttyS2?
 * ttyUSB2?), so they are refused with a message that asks for the path rather
 * than guessed.
 */
import { ResourceError } from "../errors.js";

/** A USB-TMC instrument named by identity: what the usbtmc node's USB device must report. */
export interface UsbInstrAddress {
  readonly kind: "usb-instr";
  readonly resource: string;
  /** `idVendor`, 0 to 0xffff. */
  readonly vendorId: number;
  /** `idProduct`, 0 to 0xffff. */
  readonly productId: number;
  /** The USB serial number string, as written (compared ignoring case). */
  readonly serial: string;
  /** `bInterfaceNumber` of the USB-TMC interface, when given. */
  readonly interfaceNumber?: number;
}

export type ResourceAddress =
  | { readonly kind: "tcp-socket"; readonly resource: string; readonly host: string; readonly port: number }
  | { readonly kind: "serial"; readonly resource: string; readonly path: string }
  | UsbInstrAddress
  | { readonly kind: "usbtmc-node"; readonly resource: string; readonly path: string };

const SUPPORTED =
  "TCPIP::<host>::<port>::SOCKET, ASRL<device path>::INSTR, " +
  "USB::<vendor id>::<product id>::<serial>::INSTR or USBTMC<device path>::INSTR";

const USB_FORM = "USB[board]::<vendor id>::<product id>::<serial>[::<interface number>]::INSTR";

/** Parses a resource string; throws {@link ResourceError} saying what is wrong and what is accepted. */
export function parseResource(resource: string): ResourceAddress {
  const text = resource.trim();
  const tcp = /^TCPIP(\d*)::(.+)$/i.exec(text);
  if (tcp) return parseTcp(resource, tcp[2] ?? "");
  const serial = /^ASRL(.*)::INSTR$/i.exec(text);
  if (serial) return parseSerial(resource, serial[1] ?? "");
  const node = /^USBTMC(.*)::INSTR$/i.exec(text);
  if (node) return parseUsbtmcNode(resource, node[1] ?? "");
  const usb = /^USB\d*::(.*)$/i.exec(text);
  if (usb) return parseUsb(resource, usb[1] ?? "");
  if (/^ASRL/i.test(text)) {
    throw new ResourceError(
      `${resource}: a serial resource ends in ::INSTR, e.g. ASRL/dev/ttyUSB0::INSTR`,
      resource,
    );
  }
  if (/^USBTMC/i.test(text)) {
    throw new ResourceError(
      `${resource}: a usbtmc node resource ends in ::INSTR, e.g. USBTMC/dev/usbtmc0::INSTR`,
      resource,
    );
  }
  throw new ResourceError(`${resource}: unsupported resource string; expected ${SUPPORTED}`, resource);
}

function parseTcp(resource: string, rest: string): ResourceAddress {
  const parts = rest.split("::");
  const suffix = parts.at(-1)?.toUpperCase();
  if (suffix === "INSTR" || parts.length === 1) {
    throw new ResourceError(
      `${resource}: VXI-11/HiSLIP (::INSTR) is not supported; give the raw socket port: TCPIP::<host>::<port>::SOCKET`,
      resource,
    );
  }
  const [host, portText] = parts;
  if (parts.length !== 3 || suffix !== "SOCKET" || !host || portText === undefined) {
    throw new ResourceError(`${resource}: expected TCPIP::<host>::<port>::SOCKET`, resource);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new ResourceError(
      `${resource}: port ${JSON.stringify(portText)} is not a number from 1 to 65535`,
      resource,
    );
  }
  return { kind: "tcp-socket", resource, host, port };
}

function parseSerial(resource: string, device: string): ResourceAddress {
  if (/^(COM)?\d+$/i.test(device)) {
    throw new ResourceError(
      `${resource}: numbered serial ports are not supported on Linux; give the device path, e.g. ASRL/dev/ttyS0::INSTR or ASRL/dev/ttyUSB0::INSTR`,
      resource,
    );
  }
  if (!device.startsWith("/")) {
    throw new ResourceError(
      `${resource}: expected an absolute device path after ASRL, e.g. ASRL/dev/ttyUSB0::INSTR`,
      resource,
    );
  }
  return { kind: "serial", resource, path: device };
}

function parseUsb(resource: string, rest: string): UsbInstrAddress {
  const parts = rest.split("::");
  const suffix = parts.at(-1)?.toUpperCase();
  if (suffix === "RAW") {
    throw new ResourceError(
      `${resource}: USB RAW resources are not supported; a USB-TMC instrument is ${USB_FORM}`,
      resource,
    );
  }
  const [vendorText, productText, serial, interfaceText] = parts;
  if (suffix !== "INSTR" || parts.length < 4 || parts.length > 5 || !serial?.trim()) {
    throw new ResourceError(
      `${resource}: expected ${USB_FORM}, e.g. USB0::0x1313::0x8072::P2000123::INSTR`,
      resource,
    );
  }
  const vendorId = parseUsbId(resource, "vendor id", vendorText ?? "");
  const productId = parseUsbId(resource, "product id", productText ?? "");
  if (parts.length === 4) return { kind: "usb-instr", resource, vendorId, productId, serial };
  const interfaceNumber = Number(interfaceText);
  if (!/^\d+$/.test(interfaceText ?? "") || interfaceNumber > 255) {
    throw new ResourceError(
      `${resource}: interface number ${JSON.stringify(interfaceText)} is not a number from 0 to 255`,
      resource,
    );
  }
  return { kind: "usb-instr", resource, vendorId, productId, serial, interfaceNumber };
}

/** A 16-bit USB id as VISA writes it: `0x` and hexadecimal digits, or decimal. */
function parseUsbId(resource: string, what: string, text: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!(value <= 0xffff)) {
    throw new ResourceError(
      `${resource}: ${what} ${JSON.stringify(text)} is not a 16-bit id (0x0000 to 0xFFFF, or 0 to 65535)`,
      resource,
    );
  }
  return value;
}

function parseUsbtmcNode(resource: string, path: string): ResourceAddress {
  if (!path.startsWith("/")) {
    throw new ResourceError(
      `${resource}: expected an absolute device path after USBTMC, e.g. USBTMC/dev/usbtmc0::INSTR`,
      resource,
    );
  }
  return { kind: "usbtmc-node", resource, path };
}
