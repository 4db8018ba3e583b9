import { describe, expect, it } from "vitest";
import { ResourceError } from "../../src/drivers/errors.js";
import { parseResource } from "../../src/drivers/transports/resource.js";

describe("parseResource", () => {
  it.each([
    ["TCPIP::127.0.0.1::5025::SOCKET", { kind: "tcp-socket", host: "127.0.0.1", port: 5025 }],
    ["TCPIP0::192.168.0.17::5025::SOCKET", { kind: "tcp-socket", host: "192.168.0.17", port: 5025 }],
    ["tcpip1::k2400.lab.local::1234::socket", { kind: "tcp-socket", host: "k2400.lab.local", port: 1234 }],
    ["TCPIP::localhost::65535::SOCKET", { kind: "tcp-socket", host: "localhost", port: 65535 }],
    ["ASRL/dev/ttyUSB0::INSTR", { kind: "serial", path: "/dev/ttyUSB0" }],
    ["ASRL/dev/pts/3::INSTR", { kind: "serial", path: "/dev/pts/3" }],
    [
      "asrl/dev/serial/by-id/usb-FTDI_FT232R-if00-port0::instr",
      { kind: "serial", path: "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0" },
    ],
    ["  ASRL/dev/ttyS0::INSTR  ", { kind: "serial", path: "/dev/ttyS0" }],
  ])("parses %s", (resource, expected) => {
    expect(parseResource(resource)).toEqual({ ...expected, resource });
  });

  it.each([
    ["ASRL3::INSTR", /numbered serial ports are not supported on Linux; give the device path/],
    ["ASRLCOM3::INSTR", /numbered serial ports/],
    ["ASRLdev/ttyUSB0::INSTR", /absolute device path/],
    ["ASRL/dev/ttyUSB0", /ends in ::INSTR/],
    ["TCPIP::127.0.0.1::INSTR", /VXI-11.*not supported/],
    ["TCPIP::127.0.0.1", /VXI-11.*not supported/],
    ["TCPIP::127.0.0.1::5025", /expected TCPIP::<host>::<port>::SOCKET/],
    ["TCPIP::::5025::SOCKET", /expected TCPIP::<host>::<port>::SOCKET/],
    ["TCPIP::127.0.0.1::0::SOCKET", /port "0" is not a number from 1 to 65535/],
    ["TCPIP::127.0.0.1::70000::SOCKET", /port "70000"/],
    ["TCPIP::127.0.0.1::50x::SOCKET", /port "50x"/],
    ["GPIB0::22::INSTR", /unsupported resource string/],
    ["ZMQ::tcp://gateway:5555::smu1", /unsupported resource string/],
    ["", /unsupported resource string/],
  ])("refuses %j with a ResourceError naming it", (resource, message) => {
    const error = (() => {
      try {
        parseResource(resource);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResourceError);
    expect((error as ResourceError).resource).toBe(resource);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`${resource}:`)).toBe(true);
  });
});
