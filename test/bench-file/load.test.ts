/**
 * Loading bench files: what a good file gives, and for each kind of
 * mistake the field, line and column a person is pointed at.
 */
import { describe, expect, it } from "vitest";
import { type BenchDriverInfo, KNOWN_BENCH_DRIVERS } from "../../src/bench/drivers.js";
import { BenchFileError } from "../../src/bench/errors.js";
import { checkBenchObject, loadBenchFile, parseBenchText } from "../../src/bench/file.js";
import { ResourceError } from "../../src/drivers/errors.js";
import { parseResource } from "../../src/drivers/transports/resource.js";
import { DEMO_YAML, lines, loadError, tempFolder } from "./fixtures.js";

const folder = tempFolder();

const DEMO = {
  name: "demo bench",
  clock: { control: "tcp://127.0.0.1:5600" },
  store: "sqlite:lab-runs.sqlite",
  instruments: {
    smu1: {
      name: "smu1",
      driver: "keithley2400",
      kind: "source-meter",
      resource: "TCPIP::127.0.0.1::5025::SOCKET",
      connects: "memristor",
      timeoutMs: 5000,
      limits: {
        maxAbsVoltage: 1.5,
        maxAbsCurrent: 0.01,
        maxVoltageStep: 0.1,
        maxCurrentStep: 0.001,
        maxVoltageRate: 5,
        maxCurrentRate: 0.05,
      },
    },
    smu2: {
      name: "smu2",
      driver: "keithley2450",
      kind: "source-meter",
      resource: "ASRL/dev/ttyUSB0::INSTR",
      limits: { maxAbsVoltage: Number.POSITIVE_INFINITY },
    },
  },
};

const DEMO_JSON = `${JSON.stringify(
  {
    name: "demo bench",
    clock: { control: "tcp://127.0.0.1:5600" },
    store: "sqlite:lab-runs.sqlite",
    instruments: {
      smu1: {
        driver: "keithley2400",
        resource: "TCPIP::127.0.0.1::5025::SOCKET",
        connects: "memristor",
        timeoutMs: 5000,
        limits: DEMO.instruments.smu1.limits,
      },
      smu2: {
        driver: "keithley2450",
        resource: "ASRL/dev/ttyUSB0::INSTR",
        limits: { maxAbsVoltage: "none" },
      },
    },
  },
  null,
  2,
)}\n`;

const RESOURCE_EXPECTED =
  "a VISA resource string, e.g. TCPIP::127.0.0.1::5025::SOCKET or ASRL/dev/ttyUSB0::INSTR";

/** What the project's resource parser says about `resource`. */
function parserMessage(resource: string): string {
  try {
    parseResource(resource);
  } catch (error) {
    if (error instanceof ResourceError) return error.message;
  }
  throw new Error(`${resource} parses`);
}

describe("a good bench file", () => {
  it.each([
    ["YAML", "demo.yaml", DEMO_YAML],
    ["JSON", "demo.json", DEMO_JSON],
  ])("loads from %s, limits in order and none as Infinity", async (_format, name, text) => {
    const path = await folder.write(name, text);
    const bench = await loadBenchFile(path, KNOWN_BENCH_DRIVERS);
    expect(bench).toStrictEqual({ ...DEMO, source: path });
    expect(Object.keys(bench.instruments)).toEqual(["smu1", "smu2"]);
    expect(Object.isFrozen(bench.instruments.smu1?.limits)).toBe(true);
  });

  it("needs only instruments, each with a driver and a resource", async () => {
    const path = await folder.write(
      "least.yml",
      lines("instruments:", "  smu1: { driver: keithley2400, resource: TCPIP::h::5025::SOCKET }"),
    );
    expect(await loadBenchFile(path, KNOWN_BENCH_DRIVERS)).toStrictEqual({
      instruments: {
        smu1: {
          name: "smu1",
          driver: "keithley2400",
          kind: "source-meter",
          resource: "TCPIP::h::5025::SOCKET",
          limits: {},
        },
      },
      source: path,
    });
  });

  it("takes its drivers from the registry it is given (a laser with an optical power limit)", async () => {
    const registry: readonly BenchDriverInfo[] = [
      {
        name: "santec-tsl570",
        kind: "tunable-laser",
        limits: { maxOpticalPower: { unit: "W", doc: "output" } },
      },
    ];
    const text = lines(
      "instruments:",
      "  laser:",
      "    driver: santec-tsl570",
      "    resource: TCPIP::192.168.1.20::5000::SOCKET",
      "    limits:",
      "      maxOpticalPower: 0.01   # W",
    );
    const bench = parseBenchText(text, { file: "laser.yaml", registry });
    expect(bench.instruments.laser).toMatchObject({
      kind: "tunable-laser",
      limits: { maxOpticalPower: 0.01 },
    });
    const narrow = KNOWN_BENCH_DRIVERS.filter((driver) => driver.kind === "source-meter");
    expect(() => parseBenchText(text, { file: "laser.yaml", registry: narrow })).toThrow(
      'laser.yaml:3:13: instruments.laser.driver: unknown driver "santec-tsl570"; expected one of keithley2400 (source-meter), keithley2450 (source-meter)',
    );
  });

  it.each([
    ["a .yml name", "bench.yml", undefined, DEMO_YAML],
    ["a name without extension", "bench", undefined, DEMO_YAML],
    ["JSON text in a .yaml file (YAML 1.2 reads it)", "bench.yaml", undefined, DEMO_JSON],
    ["an explicit format over the name", "bench.txt", "json" as const, DEMO_JSON],
  ])("reads %s", (_what, file, format, text) => {
    const bench = parseBenchText(text, { file, registry: KNOWN_BENCH_DRIVERS, ...(format && { format }) });
    expect(bench).toStrictEqual({ ...DEMO, source: file });
  });

  it("reads a file saved with a byte-order mark, columns as the editor shows them", () => {
    const text = `\uFEFF${lines("instruments: { smu1: { driver: keithley2400, resource: nope } }")}`;
    expect(() => parseBenchText(text, { file: "bom.yaml", registry: KNOWN_BENCH_DRIVERS })).toThrow(
      /^bom\.yaml:1:56: instruments\.smu1\.resource: /,
    );
  });
});

describe("each kind of mistake points at its field, line and column", () => {
  const smu = (...body: string[]) => lines("instruments:", "  smu1:", ...body);
  const GOOD_RESOURCE = "    resource: TCPIP::127.0.0.1::5025::SOCKET";

  it.each([
    {
      mistake: "a wrong field type",
      file: "type.yaml",
      text: smu("    driver: keithley2400", GOOD_RESOURCE, '    timeoutMs: "5000"'),
      issue: {
        path: "instruments.smu1.timeoutMs",
        line: 5,
        column: 16,
        message: 'got the text "5000"; expected a whole number of milliseconds from 1 to 2147483647',
      },
    },
    {
      mistake: "a typo'd key",
      file: "typo.yaml",
      text: smu("    driver: keithley2400", "    resouce: TCPIP::127.0.0.1::5025::SOCKET"),
      issue: {
        path: "instruments.smu1.resouce",
        line: 4,
        column: 5,
        message: 'unknown key "resouce"; expected one of driver, resource, connects, timeoutMs, limits',
      },
    },
    {
      mistake: "a typo'd top-level key",
      file: "top.yaml",
      text: lines(
        "nmae: demo",
        "instruments:",
        "  smu1: { driver: keithley2400, resource: TCPIP::h::1::SOCKET }",
      ),
      issue: {
        path: "nmae",
        line: 1,
        column: 1,
        message: 'unknown key "nmae"; expected one of name, clock, store, instruments',
      },
    },
    {
      mistake: "an unknown driver",
      file: "driver.yaml",
      text: smu("    driver: keithley2401", GOOD_RESOURCE),
      issue: {
        path: "instruments.smu1.driver",
        line: 3,
        column: 13,
        message:
          'unknown driver "keithley2401"; expected one of keithley2400 (source-meter), keithley2450 (source-meter), santec-tsl570 (tunable-laser), santec-tsl550 (tunable-laser), thorlabs-pm100 (power-meter)',
      },
    },
    {
      mistake: "an unknown limit",
      file: "limit.yaml",
      text: smu("    driver: keithley2400", GOOD_RESOURCE, "    limits:", "      maxVoltage: 1"),
      issue: {
        path: "instruments.smu1.limits.maxVoltage",
        line: 6,
        column: 7,
        message:
          'unknown key "maxVoltage"; expected a limit of keithley2400: maxAbsVoltage (V), maxAbsCurrent (A), ' +
          "maxVoltageStep (V), maxCurrentStep (A), maxVoltageRate (V/s), maxCurrentRate (A/s)",
      },
    },
    {
      mistake: "a negative limit",
      file: "negative.yaml",
      text: smu("    driver: keithley2400", GOOD_RESOURCE, "    limits:", "      maxAbsCurrent: -0.01"),
      issue: {
        path: "instruments.smu1.limits.maxAbsCurrent",
        line: 6,
        column: 22,
        message: "got -0.01; expected a positive finite number in A, or none for no limit",
      },
    },
    {
      mistake: "a bad resource string (the parser says what it accepts)",
      file: "resource.yaml",
      text: smu("    driver: keithley2400", "    resource: GPIB0::24::INSTR"),
      issue: {
        path: "instruments.smu1.resource",
        line: 4,
        column: 15,
        message: parserMessage("GPIB0::24::INSTR"),
      },
    },
    {
      mistake: "a bad resource string (the parser says only what is wrong)",
      file: "port.yaml",
      text: smu("    driver: keithley2400", "    resource: TCPIP::127.0.0.1::99999::SOCKET"),
      issue: {
        path: "instruments.smu1.resource",
        line: 4,
        column: 15,
        message: `${parserMessage("TCPIP::127.0.0.1::99999::SOCKET")}; expected ${RESOURCE_EXPECTED}`,
      },
    },
    {
      mistake: "a missing field (at the key of its instrument)",
      file: "missing.yaml",
      text: smu("    driver: keithley2400"),
      issue: {
        path: "instruments.smu1.resource",
        line: 2,
        column: 3,
        message: `missing; expected ${RESOURCE_EXPECTED}`,
      },
    },
    {
      mistake: "a missing instruments",
      file: "none.yaml",
      text: lines("# no instruments yet", "name: demo bench"),
      issue: {
        path: "instruments",
        line: 2,
        column: 1,
        message: "missing; expected a map of instrument name → driver, resource and limits",
      },
    },
    {
      mistake: "an empty instruments",
      file: "empty.yaml",
      text: lines("instruments: {}"),
      issue: {
        path: "instruments",
        line: 1,
        column: 14,
        message: "no instruments; expected at least one instrument",
      },
    },
    {
      mistake: "an instrument name that cannot prefix data keys",
      file: "name.yaml",
      text: lines("instruments:", "  SMU 1: { driver: keithley2400, resource: TCPIP::h::1::SOCKET }"),
      issue: {
        path: 'instruments["SMU 1"]',
        line: 2,
        column: 3,
        message:
          '"SMU 1" is not a valid name; expected a name of lowercase letters, digits, - and _, starting with a letter ' +
          "(it prefixes data keys, as in smu1-current)",
      },
    },
    {
      mistake: "a clock endpoint that cannot be connected to",
      file: "clock.yaml",
      text: lines(
        "clock: { control: 'tcp://127.0.0.1:*' }",
        "instruments:",
        "  smu1: { driver: keithley2400, resource: TCPIP::h::1::SOCKET }",
      ),
      issue: {
        path: "clock.control",
        line: 1,
        column: 19,
        message:
          'got the text "tcp://127.0.0.1:*"; expected a ZeroMQ endpoint to connect to: tcp://<host>:<port> or ipc://<path>',
      },
    },
    {
      mistake: "a run store that is not a store URI",
      file: "store.yaml",
      text: lines(
        "store: runs.db",
        "instruments:",
        "  smu1: { driver: keithley2400, resource: TCPIP::h::1::SOCKET }",
      ),
      issue: {
        path: "store",
        line: 1,
        column: 8,
        message:
          'got the text "runs.db"; expected a run store URI: sqlite:<file> or postgres://user@host/database',
      },
    },
    {
      mistake: "a wrong field type in JSON",
      file: "type.json",
      text: lines(
        "{",
        '  "instruments": {',
        '    "smu1": {',
        '      "driver": "keithley2400",',
        '      "resource": "TCPIP::127.0.0.1::5025::SOCKET",',
        '      "limits": { "maxAbsVoltage": "1.5" }',
        "    }",
        "  }",
        "}",
      ),
      issue: {
        path: "instruments.smu1.limits.maxAbsVoltage",
        line: 6,
        column: 36,
        message: 'got the text "1.5"; expected a positive finite number in V, or none for no limit',
      },
    },
    {
      mistake: "a typo'd key in JSON",
      file: "typo.json",
      text: lines(
        "{",
        '  "instruments": {',
        '    "smu1": {',
        '      "driver": "keithley2400",',
        '      "resouce": "TCPIP::127.0.0.1::5025::SOCKET"',
        "    }",
        "  }",
        "}",
      ),
      issue: {
        path: "instruments.smu1.resouce",
        line: 5,
        column: 7,
        message: 'unknown key "resouce"; expected one of driver, resource, connects, timeoutMs, limits',
      },
    },
  ])("$mistake", async ({ file, text, issue }) => {
    const error = await loadError(await folder.write(file, text));
    expect(error.file).toBe(folder.path(file));
    expect(error.issues).toContainEqual(issue);
    expect(error.message).toContain(
      `${folder.path(file)}:${issue.line}:${issue.column}: ${issue.path}: ${issue.message}`,
    );
  });

  it.each([
    {
      mistake: "a YAML syntax error (an unclosed quote)",
      file: "quote.yaml",
      text: lines(
        "instruments:",
        "  smu1:",
        "    driver: keithley2400",
        '    resource: "TCPIP::h::1::SOCKET',
      ),
      line: 5,
      column: 1,
      message: /^YAML syntax error: Missing closing "quote; expected valid YAML$/,
    },
    {
      mistake: "a YAML syntax error (the same key twice)",
      file: "twice.yaml",
      text: lines("instruments:", "  smu1: { driver: keithley2400 }", "  smu1: { driver: keithley2450 }"),
      line: 3,
      column: 3,
      message: /^YAML syntax error: Map keys must be unique; expected each key once in its map$/,
    },
    {
      mistake: "a JSON trailing comma",
      file: "comma.json",
      text: lines("{", '  "instruments": {},', "}"),
      line: 3,
      column: 1,
      message: /^JSON syntax error: Expected double-quoted property name; expected valid JSON/,
    },
    {
      mistake: "a comment in JSON",
      file: "comment.json",
      text: lines("{", '  "instruments": {} # none yet', "}"),
      line: 2,
      column: 21,
      message: /^JSON syntax error: Expected ',' or '}' after property value; expected valid JSON/,
    },
    {
      mistake: "a bare word in JSON",
      file: "word.json",
      text: lines("{", '  "instruments": {', '    "smu1": { "driver": keithley2400 }', "  }", "}"),
      line: 3,
      column: 25,
      message: /^JSON syntax error: Unresolved plain scalar "keithley2400"; expected a JSON value/,
    },
    {
      mistake: "a single-quoted string in JSON",
      file: "quote.json",
      text: lines("{", '  "instruments": {', '    "smu1": { "driver": \'keithley2400\' }', "  }", "}"),
      line: 3,
      column: 25,
      message: /^JSON syntax error: Unexpected token '''; expected valid JSON/,
    },
    {
      mistake: "a YAML tag",
      file: "tag.yaml",
      text: lines("instruments:", "  smu1:", "    driver: !custom keithley2400"),
      line: 3,
      column: 13,
      message: /^YAML syntax error: Unresolved tag: !custom; expected plain values/,
    },
    {
      mistake: "the same key twice in JSON (JSON.parse would keep the last)",
      file: "twice.json",
      text: lines("{", '  "instruments": {},', '  "instruments": {}', "}"),
      line: 3,
      column: 3,
      message: /^JSON syntax error: Map keys must be unique; expected each key once in its map$/,
    },
  ])("$mistake gives its line", async ({ file, text, line, column, message }) => {
    const error = await loadError(await folder.write(file, text));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      path: "",
      line,
      column,
      message: expect.stringMatching(message),
    });
    expect(error.message).toMatch(new RegExp(`^${folder.path(file)}:${line}:${column}: [JY]`));
  });

  it.each([
    ["a file that does not exist", "absent.yaml", /ENOENT: no such file or directory/],
    ["a folder", "", /EISDIR: illegal operation on a directory/],
  ])("%s names the path and the OS error", async (_what, name, reason) => {
    const path = folder.path(name);
    const error = await loadError(path);
    expect(error.file).toBe(path);
    expect(error.issues).toEqual([{ path: "", message: expect.stringMatching(reason) }]);
    expect(error.message).toMatch(new RegExp(`^${path}: cannot read the bench file: ${reason.source}`));
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^E/);
  });

  it("says an empty file is empty", async () => {
    const error = await loadError(await folder.write("blank.yaml", "# nothing here\n"));
    expect(error.message).toBe(
      `${folder.path("blank.yaml")}: the file has no content; expected a map with instruments`,
    );
  });
});

describe("several mistakes", () => {
  it("are all reported at once, in the order of the file", async () => {
    const path = await folder.write(
      "several.yaml",
      lines(
        "name: 7",
        "instruments:",
        "  smu1:",
        "    driver: keithley2401",
        "    resource: TCPIP::h::5025",
        "    limits: { maxAbsVoltage: 0, maxFoo: 1 }",
        "  smu2:",
        "    driver: keithley2450",
        "    resource: TCPIP::h::5025::SOCKET",
        "    timeoutMs: 0.5",
      ),
    );
    const error = await loadError(path);
    expect(error.issues.map((issue) => [issue.line, issue.column, issue.path])).toEqual([
      [1, 7, "name"],
      [4, 13, "instruments.smu1.driver"],
      [5, 15, "instruments.smu1.resource"],
      // The driver is unknown, so which limits it takes is too: only the values are checked.
      [6, 30, "instruments.smu1.limits.maxAbsVoltage"],
      [10, 16, "instruments.smu2.timeoutMs"],
    ]);
    expect(error.message.split("\n")).toEqual([
      `${path}: 5 problems`,
      `${path}:1:7: name: got 7; expected a bench name (text)`,
      expect.stringContaining(`${path}:4:13: instruments.smu1.driver: unknown driver "keithley2401"`),
      // The parser's message says what it expects, so it stands alone.
      `${path}:5:15: instruments.smu1.resource: ${parserMessage("TCPIP::h::5025")}`,
      `${path}:6:30: instruments.smu1.limits.maxAbsVoltage: got 0; expected a positive finite number, or none for no limit`,
      `${path}:10:16: instruments.smu2.timeoutMs: got 0.5; expected a whole number of milliseconds from 1 to 2147483647`,
    ]);
  });
});

describe('"no limit" is written none', () => {
  const bench = (limit: string) =>
    lines(
      "instruments:",
      "  smu1:",
      "    driver: keithley2400",
      "    resource: TCPIP::h::5025::SOCKET",
      `    limits: { maxVoltageRate: ${limit} }`,
    );

  it.each([
    ["YAML", "none.yaml", bench("none")],
    ["YAML, quoted", "quoted.yaml", bench('"none"')],
    [
      "JSON",
      "none.json",
      lines(
        '{ "instruments": { "smu1": {',
        '  "driver": "keithley2400", "resource": "TCPIP::h::5025::SOCKET",',
        '  "limits": { "maxVoltageRate": "none" } } } }',
      ),
    ],
  ])("in %s, and loads as Infinity", (_format, file, text) => {
    const loaded = parseBenchText(text, { file, registry: KNOWN_BENCH_DRIVERS });
    expect(loaded.instruments.smu1?.limits).toEqual({ maxVoltageRate: Number.POSITIVE_INFINITY });
  });

  it.each([
    ["YAML's .inf", ".inf", "got an infinite number"],
    ["an empty value (a forgotten limit is not an open one)", "null", "got an empty value"],
    ["another spelling", "None", 'got the text "None"'],
    ["zero", "0", "got 0"],
  ])("not as %s", (_what, limit, got) => {
    expect(() => parseBenchText(bench(limit), { file: "b.yaml", registry: KNOWN_BENCH_DRIVERS })).toThrow(
      `b.yaml:5:31: instruments.smu1.limits.maxVoltageRate: ${got}; expected a positive finite number in V/s, or none for no limit`,
    );
  });

  it("not as null in JSON", () => {
    const text =
      '{"instruments": {"smu1": {"driver": "keithley2400", "resource": "TCPIP::h::1::SOCKET", "limits": {"maxAbsVoltage": null}}}}';
    expect(() => parseBenchText(text, { file: "b.json", registry: KNOWN_BENCH_DRIVERS })).toThrow(
      "b.json:1:116: instruments.smu1.limits.maxAbsVoltage: got an empty value; expected a positive finite number in V, or none for no limit",
    );
  });
});

describe("checkBenchObject", () => {
  const smu1 = { driver: "keithley2400", resource: "TCPIP::127.0.0.1::5025::SOCKET" };

  it("checks a bench given in code, where Infinity is no limit too", () => {
    const bench = checkBenchObject(
      {
        instruments: {
          smu1: { ...smu1, limits: { maxAbsVoltage: Number.POSITIVE_INFINITY, maxAbsCurrent: "none" } },
        },
      },
      { registry: KNOWN_BENCH_DRIVERS },
    );
    expect(bench.instruments.smu1?.limits).toEqual({
      maxAbsVoltage: Number.POSITIVE_INFINITY,
      maxAbsCurrent: Number.POSITIVE_INFINITY,
    });
    expect(bench.source).toBeUndefined();
  });

  it("names the field path, with no file and no line", () => {
    let error: unknown;
    try {
      checkBenchObject(
        { instruments: { smu1: { ...smu1, resouce: "x", limits: { maxAbsCurrent: -1 } } } },
        { registry: KNOWN_BENCH_DRIVERS, where: "openBench()" },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BenchFileError);
    const { file, issues, message } = error as BenchFileError;
    expect(file).toBeUndefined();
    // Without lines to sort by, in zod's order: declared fields, then unknown keys.
    expect(issues).toEqual([
      {
        path: "instruments.smu1.limits.maxAbsCurrent",
        message: "got -1; expected a positive number in A, or none for no limit",
      },
      {
        path: "instruments.smu1.resouce",
        message: expect.stringMatching(/^unknown key "resouce"; expected one of /),
      },
    ]);
    expect(message.split("\n")).toEqual([
      "openBench(): 2 problems",
      "openBench(): instruments.smu1.limits.maxAbsCurrent: got -1; expected a positive number in A, or none for no limit",
      expect.stringMatching(/^openBench\(\): instruments\.smu1\.resouce: unknown key "resouce"/),
    ]);
  });

  it.each([
    ["nothing", undefined, "bench: missing; expected a map with keys name, clock, store, instruments"],
    ["a list", [], "bench: got a list; expected a map with keys name, clock, store, instruments"],
  ])("refuses %s as a bench", (_what, object, message) => {
    expect(() => checkBenchObject(object, { registry: KNOWN_BENCH_DRIVERS })).toThrow(message);
  });
});
