/**
 * Writing bench files (`pms virtual --bench out.json`): the text is fixed
 * by the bench alone, and what is written loads back as the same bench.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { KNOWN_BENCH_DRIVERS } from "../../src/bench/drivers.js";
import {
  type BenchFile,
  benchFileText,
  loadBenchFile,
  parseBenchText,
  writeBenchFile,
} from "../../src/bench/file.js";
import { DEMO_YAML, lines, tempFolder } from "./fixtures.js";

const folder = tempFolder();

describe("writeBenchFile", () => {
  it("writes a bench that loads back as the same object", async () => {
    const original = await loadBenchFile(await folder.write("demo.yaml", DEMO_YAML), KNOWN_BENCH_DRIVERS);
    const path = folder.path("out.json");
    await writeBenchFile(path, original);
    const loaded = await loadBenchFile(path, KNOWN_BENCH_DRIVERS);
    expect(loaded).toStrictEqual({ ...original, source: path });
    expect(await readFile(path, "utf8")).toBe(benchFileText(original));
  });

  it("writes two-space JSON, fields in a fixed order, limits by name, no limit as none", () => {
    const bench = parseBenchText(DEMO_YAML, { file: "demo.yaml", registry: KNOWN_BENCH_DRIVERS });
    expect(benchFileText(bench)).toBe(
      lines(
        "{",
        '  "name": "demo bench",',
        '  "clock": {',
        '    "control": "tcp://127.0.0.1:5600"',
        "  },",
        '  "store": "sqlite:lab-runs.sqlite",',
        '  "instruments": {',
        '    "smu1": {',
        '      "driver": "keithley2400",',
        '      "resource": "TCPIP::127.0.0.1::5025::SOCKET",',
        '      "connects": "memristor",',
        '      "timeoutMs": 5000,',
        '      "limits": {',
        '        "maxAbsCurrent": 0.01,',
        '        "maxAbsVoltage": 1.5,',
        '        "maxCurrentRate": 0.05,',
        '        "maxCurrentStep": 0.001,',
        '        "maxVoltageRate": 5,',
        '        "maxVoltageStep": 0.1',
        "      }",
        "    },",
        '    "smu2": {',
        '      "driver": "keithley2450",',
        '      "resource": "ASRL/dev/ttyUSB0::INSTR",',
        '      "limits": {',
        '        "maxAbsVoltage": "none"',
        "      }",
        "    }",
        "  }",
        "}",
      ),
    );
  });

  it("gives the same text however the object was built", () => {
    const built: BenchFile = {
      instruments: {
        smu1: {
          limits: { maxVoltageStep: 0.1, maxAbsVoltage: 2 },
          resource: "TCPIP::h::5025::SOCKET",
          kind: "source-meter",
          driver: "keithley2400",
          name: "smu1",
        },
      },
      source: "elsewhere.yaml",
      name: "built",
    };
    const text = benchFileText(built);
    expect(text).toBe(benchFileText(parseBenchText(text, { file: "b.json", registry: KNOWN_BENCH_DRIVERS })));
    expect(Object.keys(JSON.parse(text))).toEqual(["name", "instruments"]);
  });

  it.each([Number.NaN, 0, -1])("refuses to write a limit of %s, which would not load back", (limit) => {
    const bench: BenchFile = {
      instruments: {
        smu1: {
          name: "smu1",
          driver: "keithley2400",
          kind: "source-meter",
          resource: "TCPIP::h::5025::SOCKET",
          limits: { maxAbsVoltage: limit },
        },
      },
    };
    expect(() => benchFileText(bench)).toThrow(
      new RangeError(`instruments.smu1.limits.maxAbsVoltage: ${limit} is not a positive number`),
    );
  });
});
