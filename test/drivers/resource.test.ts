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
    [
      "USB0::0x1313::0x8072::P2000123::INSTR",
      { kind: "usb-instr", vendorId: 0x1313, productId: 0x8072, serial: "P2000123" },
    ],
    [
      "usb::4883::32882::P2000123::instr",
      { kind: "usb-instr", vendorId: 0x1313, productId: 0x8072, serial: "P2000123" },
    ],
    [
      "USB1::0X1313::0x8078::P0012345::0::INSTR",
      { kind: "usb-instr", vendorId: 0x1313, productId: 0x8078, serial: "P0012345", interfaceNumber: 0 },
    ],
    ["USB::0x0::65535::A-1::INSTR", { kind: "usb-instr", vendorId: 0, productId: 0xffff, serial: "A-1" }],
    ["USBTMC/dev/usbtmc0::INSTR", { kind: "usbtmc-node", path: "/dev/usbtmc0" }],
    ["usbtmc/dev/pm100::instr", { kind: "usbtmc-node", path: "/dev/pm100" }],
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
    [
      "USB0::0x1313::0x8072::P2000123::RAW",
      /USB RAW resources are not supported; a USB-TMC instrument is USB\[board\]::/,
    ],
    ["USB0::0x1313::0x8072::P2000123", /expected USB\[board\]::<vendor id>::<product id>::<serial>/],
    ["USB0::0x1313::0x8072::INSTR", /expected USB\[board\]::/],
    ["USB0::0x1313::0x8072::::INSTR", /expected USB\[board\]::/],
    ["USB0::0x13131::0x8072::P1::INSTR", /vendor id "0x13131" is not a 16-bit id/],
    ["USB0::0xZZ::0x8072::P1::INSTR", /vendor id "0xZZ" is not a 16-bit id/],
    ["USB0::0x1313::70000::P1::INSTR", /product id "70000" is not a 16-bit id/],
    ["USB0::0x1313::-1::P1::INSTR", /product id "-1"/],
    ["USB0::0x1313::0x8072::P1::x::INSTR", /interface number "x" is not a number from 0 to 255/],
    ["USB0::0x1313::0x8072::P1::256::INSTR", /interface number "256"/],
    ["USBTMCdev/usbtmc0::INSTR", /absolute device path after USBTMC/],
    ["USBTMC/dev/usbtmc0", /a usbtmc node resource ends in ::INSTR/],
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
