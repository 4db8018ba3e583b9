/**
 * VISA-style resource strings (DESIGN.md, "Drivers"), parsed into what a
 * transport needs to open the connection. Keywords are case-insensitive, as
 * in VISA; paths and host names are kept as written.
 *
 * Supported forms:
 * - `TCPIP[board]::<host>::<port>::SOCKET` — raw SCPI socket (port 5025 on most LAN instruments)
 * - `ASRL<device path>::INSTR` — serial port by path, e.g. `ASRL/dev/ttyUSB0::INSTR`
 *
 * Numbered serial boards (`ASRL3::INSTR`, `ASRLCOM3::INSTR`) are a Windows /
 * NI-VISA convention whose mapping to a Linux device is not fixed (ttyS2?
 * ttyUSB2?), so they are refused with a message that asks for the path rather
 * than guessed.
 */
import { ResourceError } from "../errors.js";

export type ResourceAddress =
  | { readonly kind: "tcp-socket"; readonly resource: string; readonly host: string; readonly port: number }
  | { readonly kind: "serial"; readonly resource: string; readonly path: string };

const SUPPORTED = "TCPIP::<host>::<port>::SOCKET or ASRL<device path>::INSTR";

/** Parses a resource string; throws {@link ResourceError} saying what is wrong and what is accepted. */
export function parseResource(resource: string): ResourceAddress {
  const text = resource.trim();
  const tcp = /^TCPIP(\d*)::(.+)$/i.exec(text);
  if (tcp) return parseTcp(resource, tcp[2] ?? "");
  const serial = /^ASRL(.*)::INSTR$/i.exec(text);
  if (serial) return parseSerial(resource, serial[1] ?? "");
  if (/^ASRL/i.test(text)) {
    throw new ResourceError(
      `${resource}: a serial resource ends in ::INSTR, e.g. ASRL/dev/ttyUSB0::INSTR`,
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
