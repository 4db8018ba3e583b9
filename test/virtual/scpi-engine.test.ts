/**
 * The generic SCPI engine, driven through a toy bench supply so that these
 * tests hold for any instrument built on it.
 */
import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/models/random.js";
import {
  bool,
  choice,
  commandsFor,
  commonCommands,
  ESR,
  errorQueueCommands,
  list,
  nr3,
  numeric,
  quoted,
  ScpiEngine,
  ScpiError,
  setting,
  text,
} from "../../src/virtual/scpi/index.js";

interface Supply {
  volts: number;
  mode: "FIX" | "LIST";
  on: boolean;
  list: number[];
  display: Record<number, string>;
  resets: number;
}

const NOT_ON = 801;
const command = commandsFor<Supply>();

function supply(options: { abortMessageOnError?: boolean; capacity?: number } = {}) {
  const ctx: Supply = { volts: 1, mode: "FIX", on: false, list: [], display: {}, resets: 0 };
  const internal: unknown[] = [];
  const engine = new ScpiEngine<Supply>({
    context: ctx,
    errorQueueCapacity: options.capacity ?? 10,
    deviceErrors: { [NOT_ON]: { text: "Output is off", esrBit: ESR.DDE } },
    abortMessageOnError: options.abortMessageOnError ?? true,
    onInternalError: (error) => internal.push(error),
    commands: [
      ...commonCommands<Supply>({
        identity: () => "ACME,PSU-1,42,1.0",
        reset: (s) => {
          s.volts = 1;
          s.resets++;
        },
        clearStatus: () => undefined,
        statusSummary: () => 0,
      }),
      ...errorQueueCommands<Supply>(),
      setting<Supply, number>(":SOURce[1]:VOLTage[:LEVel][:IMMediate][:AMPLitude]", {
        param: numeric({ min: 0, max: 30, def: 1, unit: "V" }),
        get: (s) => s.volts,
        set: (s, v) => {
          s.volts = v;
        },
        format: nr3,
      }),
      setting<Supply, "FIX" | "LIST">(":SOURce[1]:VOLTage:MODE", {
        param: choice(["FIXed", "LIST"]),
        get: (s) => s.mode,
        set: (s, mode) => {
          s.mode = mode;
        },
        format: (mode) => mode,
      }),
      command(":SOURce[1]:LIST:VOLTage", {
        set: {
          params: [list(numeric<Supply>({ min: 0, max: 30, unit: "V" }), { max: 4 })],
          run: (s, [levels]) => {
            s.list = levels;
          },
        },
        query: { run: (s) => s.list.map((v) => nr3(v)).join(",") },
      }),
      setting<Supply, boolean>(":OUTPut[1][:STATe]", {
        param: bool(),
        get: (s) => s.on,
        set: (s, on) => {
          s.on = on;
        },
        format: (on) => (on ? "1" : "0"),
      }),
      command(":MEASure:VOLTage", {
        query: {
          run: (s) => {
            if (!s.on) throw new ScpiError(NOT_ON);
            return nr3(s.volts);
          },
        },
      }),
      command(":DISPlay[:WINDow#]:TEXT[:DATA]", {
        set: {
          params: [text<Supply>()],
          run: (s, [message], { suffixes }) => {
            s.display[suffixes[0] ?? 1] = message;
          },
        },
        query: { run: (s, _args, { suffixes }) => quoted(s.display[suffixes[0] ?? 1] ?? "") },
      }),
      command(":BOOM", {
        set: {
          params: [],
          run: () => {
            throw new TypeError("a bug in a handler");
          },
        },
      }),
    ],
  });
  const send = (message: string) => engine.execute(message);
  const errors = () => engine.errors.drain().map((e) => e.code);
  return { ctx, engine, send, errors, internal };
}

describe("program messages and the header path", () => {
  it.each([
    [":SOUR:VOLT 5;:SOUR:VOLT?", "+5.000000E+00"],
    [":SOUR:VOLT 5;VOLT?", "+5.000000E+00"],
    [":SOURCE:VOLTAGE:LEVEL:IMMEDIATE:AMPLITUDE 5;:sour1:volt:ampl?", "+5.000000E+00"],
    [":SOUR:VOLT:MODE LIST;MODE?", "LIST"],
    [":SOUR:VOLT 2;*OPC;VOLT?", "+2.000000E+00"],
    ["*IDN?;*OPC?", "ACME,PSU-1,42,1.0;1"],
    [":OUTP ON;:MEAS:VOLT?;:OUTP?", "+1.000000E+00;1"],
    [":SOUR:VOLT? MAX;VOLT? MIN;VOLT? DEF", "+3.000000E+01;+0.000000E+00;+1.000000E+00"],
    [":SOUR:VOLT MAX;VOLT?", "+3.000000E+01"],
    [":SOUR:VOLT 1500mV;VOLT?", "+1.500000E+00"],
    [":SOUR:VOLT 2.5 V;VOLT?", "+2.500000E+00"],
    [":SOUR:VOLT 0.02kV;VOLT?", "+2.000000E+01"],
    [":SOUR:VOLT #H1A;VOLT?", "+2.600000E+01"],
    [":SOUR:LIST:VOLT 1,2, 3;VOLT?", "+1.000000E+00,+2.000000E+00,+3.000000E+00"],
    [":DISP:WIND2:TEXT 'two';TEXT?;:DISP:TEXT?", '"two";""'],
    [':DISP:TEXT "say ""hi""";TEXT?', '"say ""hi"""'],
    [":SOUR:VOLT 3;", undefined],
    ["", undefined],
  ])("%j → %j", (message, reply) => {
    const { send, errors } = supply();
    expect(send(message)).toBe(reply);
    expect(errors()).toEqual([]);
  });

  it("starts each program message at the root", () => {
    const { send, errors } = supply();
    send(":SOUR:VOLT 3");
    expect(send("VOLT?")).toBeUndefined();
    expect(errors()).toEqual([-113]);
  });

  it("resolves a relative header below the previous header's path only", () => {
    const { send, errors } = supply();
    expect(send(":SOUR:VOLT 5;MODE?")).toBeUndefined();
    expect(errors()).toEqual([-113]);
  });

  it("takes MIN, MAX and DEF as values of a numeric parameter", () => {
    const { ctx, send } = supply();
    send(":SOUR:VOLT MAX");
    expect(ctx.volts).toBe(30);
    send(":SOUR:VOLT minimum");
    expect(ctx.volts).toBe(0);
    send(":SOUR:VOLT DEF");
    expect(ctx.volts).toBe(1);
  });
});

describe("errors a unit can raise", () => {
  it.each([
    [":SOUR:VOLT", -109],
    [":SOUR:VOLT 1,2", -108],
    [":SOUR:VOLT ON", -104],
    [":SOUR:VOLT 'five'", -104],
    [":SOUR:VOLT 31", -222],
    [":SOUR:VOLT -1", -222],
    [":SOUR:VOLT #H1F", -222],
    [":SOUR:VOLT 1 A", -131],
    [":SOUR:VOLT 1 XV", -131],
    [":SOUR:VOLT 2500m", -131],
    ["*ESE 4V", -138],
    [":OUTP 1V", -138],
    [":SOUR:VOLT:MODE SWEEP", -224],
    [":SOUR:VOLT:MODE 1", -104],
    [":OUTP MAYBE", -224],
    [":OUTP 'on'", -104],
    [":OUTP? 1", -108],
    [":SOUR:VOLT? 1", -104],
    [":SOUR:VOLT? UP", -224],
    [":SOUR:LIST:VOLT 1,2,3,4,5", -108],
    [":SOUR:LIST:VOLT", -109],
    [":SOUR:LIST:VOLT 1,40", -222],
    [":DISP:TEXT 12", -104],
    [":NOPE", -113],
    [":SOUR:VOLT:LEV:LEV 1", -113],
    ["*IDN", -113],
    [":BOOM?", -113],
    [":SOUR2:VOLT 1", -114],
    [":DISP:WIND100:TEXT 'x'", -114],
    [":MEAS:VOLT?", NOT_ON],
    [":SOUR:VOLT\u00ff 1", -101],
    [":DISP:TEXT 'open", -151],
  ])("%j queues %i", (message, code) => {
    const { ctx, send, errors } = supply();
    expect(send(message)).toBeUndefined();
    expect(errors()).toEqual([code]);
    expect(ctx.volts).toBe(1);
  });

  it("discards the rest of the message after an error, as the 2400 does", () => {
    const { ctx, send, errors } = supply();
    expect(send(":SOUR:VOLT 99;:SOUR:VOLT 2;*IDN?")).toBeUndefined();
    expect(ctx.volts).toBe(1);
    expect(errors()).toEqual([-222]);
  });

  it("keeps the units before the error", () => {
    const { ctx, send } = supply();
    expect(send(":SOUR:VOLT 2;*IDN?;:NOPE;:SOUR:VOLT 3")).toBe("ACME,PSU-1,42,1.0");
    expect(ctx.volts).toBe(2);
  });

  it("can go on after an error when configured to", () => {
    const { ctx, send, errors } = supply({ abortMessageOnError: false });
    expect(send(":SOUR:VOLT 99;:SOUR:VOLT 2;*OPC?")).toBe("1");
    expect(ctx.volts).toBe(2);
    expect(errors()).toEqual([-222]);
  });

  it("turns a handler's exception into -300 and reports it", () => {
    const { send, errors, internal } = supply();
    expect(send(":BOOM")).toBeUndefined();
    expect(errors()).toEqual([-300]);
    expect(internal).toHaveLength(1);
    expect(send("*IDN?")).toBe("ACME,PSU-1,42,1.0");
  });
});

describe("the error queue", () => {
  it('reads oldest first, then 0,"No error"', () => {
    const { send } = supply();
    send(":NOPE");
    send(":SOUR:VOLT 99");
    expect(send(":SYST:ERR:COUN?")).toBe("2");
    expect(send(":SYST:ERR?")).toBe('-113,"Undefined header"');
    expect(send(":SYSTEM:ERROR:NEXT?")).toBe('-222,"Data out of range"');
    expect(send(":SYST:ERR?")).toBe('0,"No error"');
  });

  it("names device errors from the instrument's table", () => {
    const { send } = supply();
    send(":MEAS:VOLT?");
    expect(send(":SYST:ERR?")).toBe('801,"Output is off"');
  });

  it.each([
    [":SYST:ERR:ALL?", '-113,"Undefined header",-222,"Data out of range"'],
    [":SYST:ERR:CODE?", "-113"],
    [":SYST:ERR:CODE:ALL?", "-113,-222"],
  ])("%s", (query, reply) => {
    const { send } = supply();
    send(":NOPE");
    send(":SOUR:VOLT 99");
    expect(send(query)).toBe(reply);
  });

  it.each([":SYST:ERR:ALL?", ":SYST:ERR:CODE:ALL?"])("%s on an empty queue", (query) => {
    expect(supply().send(query)).toBe(query.includes("CODE") ? "0" : '0,"No error"');
  });

  it("keeps the oldest errors and marks overflow with -350 in the last place", () => {
    const { send, errors } = supply({ capacity: 4 });
    for (const header of [":A", ":B", ":C", ":D", ":E", ":F"]) send(header);
    send(":SOUR:VOLT 99");
    expect(errors()).toEqual([-113, -113, -113, -350]);
  });

  it("makes room again once read", () => {
    const { send, engine } = supply({ capacity: 2 });
    for (const header of [":A", ":B", ":C"]) send(header);
    send(":SYST:ERR?");
    send(":SOUR:VOLT 99");
    expect(engine.errors.peek().map((e) => e.code)).toEqual([-350, -222]);
  });

  it.each(["*CLS", ":SYST:CLE"])("is emptied by %s", (clear) => {
    const { send } = supply();
    send(":NOPE");
    send(clear);
    expect(send(":SYST:ERR?")).toBe('0,"No error"');
  });

  it("refuses a capacity below SCPI's minimum of 2", () => {
    expect(() => supply({ capacity: 1 })).toThrow(RangeError);
  });
});

describe("Standard Event Status and the Status Byte", () => {
  it("reports power-on once, then clears on reading", () => {
    const { send } = supply();
    expect(send("*ESR?")).toBe(String(ESR.PON));
    expect(send("*ESR?")).toBe("0");
  });

  it.each([
    [":NOPE", ESR.CME],
    [":SOUR:VOLT 1 A", ESR.CME],
    [":SOUR:VOLT 99", ESR.EXE],
    [":MEAS:VOLT?", ESR.DDE],
    ["*OPC", ESR.OPC],
  ])("%j sets %i", (message, bit) => {
    const { send } = supply();
    send("*ESR?");
    send(message);
    expect(send("*ESR?")).toBe(String(bit));
  });

  it("sets QYE for query errors and DDE for an overflowing queue", () => {
    const { engine, send } = supply({ capacity: 2 });
    send("*ESR?");
    engine.pushError(-410);
    engine.pushError(-420);
    engine.pushError(-440);
    expect(send("*ESR?")).toBe(String(ESR.QYE | ESR.DDE));
    expect(engine.errors.peek().map((e) => [e.code, e.text])).toEqual([
      [-410, "Query INTERRUPTED"],
      [-350, "Queue overflow"],
    ]);
  });

  it("summarises enabled events, the error queue and service requests in *STB?", () => {
    const { send } = supply();
    send("*ESR?");
    expect(send("*STB?")).toBe("0");
    send(":NOPE");
    expect(send("*STB?")).toBe("4"); // EAV
    send("*ESE 32;*SRE 32");
    expect(send("*ESE?;*SRE?")).toBe("32;32");
    expect(send("*STB?")).toBe(String(4 | 32 | 64)); // EAV, ESB, MSS
    send("*CLS");
    expect(send("*STB?")).toBe("0");
  });

  it("sets MAV when an earlier query of the message has a reply waiting", () => {
    expect(supply().send("*OPC?;*STB?")).toBe("1;16");
  });

  it("*RST resets the instrument but not the status", () => {
    const { ctx, send } = supply();
    send(":SOUR:VOLT 7;*ESE 4;:NOPE");
    send("*RST");
    expect(ctx.resets).toBe(1);
    expect(ctx.volts).toBe(1);
    expect(send("*ESE?;:SYST:ERR:COUN?")).toBe("4;1");
  });

  it.each([
    ["*TST?", "0"],
    ["*WAI;*OPC?", "1"],
  ])("%s", (message, reply) => {
    expect(supply().send(message)).toBe(reply);
  });
});

describe("robustness", () => {
  /** Random program messages: SCPI fragments, printable noise, control characters and 8-bit bytes. */
  function randomMessage(random: SeededRandom): string {
    const fragments = [
      ":SOUR",
      ":VOLT",
      "?",
      ";",
      ":",
      " ",
      ",",
      "'",
      '"',
      "*IDN",
      "*ESE",
      "MAX",
      "1e999",
      "-",
      "#H",
      "#B2",
      "(",
      "1.5mV",
      "ON",
    ];
    let message = "";
    const length = Math.floor(random.uniform() * 40);
    for (let i = 0; i < length; i++) {
      const pick = random.uniform();
      if (pick < 0.4) message += fragments[Math.floor(random.uniform() * fragments.length)];
      else if (pick < 0.7) message += String.fromCharCode(0x20 + Math.floor(random.uniform() * 0x5f));
      else message += String.fromCharCode(Math.floor(random.uniform() * 256));
    }
    return message;
  }

  it("never throws on random input, and answers the next valid message", () => {
    const { send, engine, internal } = supply();
    const random = new SeededRandom(2024);
    for (let i = 0; i < 3000; i++) {
      expect(() => send(randomMessage(random))).not.toThrow();
      expect(engine.errors.length).toBeLessThanOrEqual(10);
    }
    expect(internal).toEqual([]);
    send("*CLS");
    expect(send("*IDN?")).toBe("ACME,PSU-1,42,1.0");
    expect(send(":SYST:ERR?")).toBe('0,"No error"');
  });
});
