/**
 * The SENSe subsystem of the PM100USB (PM100D manual 17654-D02 §6.4, the
 * `[SENSe:]` tree: `CORRection:COLLect:ZERO[:INITiate]`, `:ABORt`,
 * `:STATe?`, `:MAGNitude?`, `:BEAMdiameter`, `:WAVelength
 * {MINimum|MAXimum|<numeric_value>[nm]}`, `:POWer[:PDIode][:RESPonse]`;
 * `AVERage[:COUNt]`, `POWer[:DC]:RANGe[:UPPer]`, `:RANGe:AUTO`, `:UNIT`;
 * Thorlabs' PM100D2 SCPI reference for their MIN/MAX/UP/DOWN and for
 * `CORRection[:LOSS[:INPut[:MAGNitude]]]`, which QCoDeS' PM100D driver
 * sends as `CORR`). `SENSe` takes the channel suffix 1 (`SENS1:…`).
 */
import { rangeFor, stepRange } from "../../ranges.js";
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { boolean, nr1 } from "../../scpi/format.js";
import { bool, choice, numeric } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Pm100Core } from "../core.js";
import { SENSOR_FLAG } from "../sensor.js";
import { CURRENT_RANGES, MAX_AVERAGE_COUNT, type PowerUnit } from "../settings.js";
import { nr3u } from "./format.js";

type Core = Pm100Core;
const command = commandsFor<Core>();

const NM = 1e-9;
const MM = 1e-3;
const LOWEST = CURRENT_RANGES[0] as number;
const HIGHEST = CURRENT_RANGES[CURRENT_RANGES.length - 1] as number;

/** Smallest beam diameter taken, m: not in the sources; an assumption. */
const MIN_BEAM_DIAMETER = 0.01 * MM;

/** Attenuation bounds, dB: what QCoDeS' PM100D driver validates (`vals.Numbers(-60, 60)`). */
const MAX_LOSS_DB = 60;

export function senseCommands(): ReturnType<typeof command>[] {
  return [
    setting<Core, number>("[:SENSe[1]]:CORRection:WAVelength", {
      param: numeric<Core>({
        min: (k) => k.requireSensor().wavelengthMin / NM,
        max: (k) => k.requireSensor().wavelengthMax / NM,
        unit: "NM",
      }),
      get: (k) => {
        k.requireSensor();
        return k.settings.correctionWavelength / NM;
      },
      set: (k, nm) => {
        // A head whose flags do not say "wavelength settable" keeps its own (-221 "Settings conflict").
        if ((k.requireSensor().flags & SENSOR_FLAG.WAVELENGTH_SETTABLE) === 0) throw new ScpiError(-221);
        k.settings.correctionWavelength = nm * NM;
      },
      format: nr3u,
    }),
    // The responsivity the meter uses at the correction wavelength, A/W. Setting it is for heads whose
    // flags say "response settable" (adapters), which are not modelled: -221.
    command("[:SENSe[1]]:CORRection:POWer[:PDIode][:RESPonse]", {
      set: {
        params: [numeric<Core>({ min: 0, max: 10, unit: "A" })],
        run: () => {
          throw new ScpiError(-221);
        },
      },
      query: { run: (k) => nr3u(k.correctionResponsivity) },
    }),
    setting<Core, number>("[:SENSe[1]]:CORRection[:LOSS][:INPut][:MAGNitude]", {
      param: numeric<Core>({ min: -MAX_LOSS_DB, max: MAX_LOSS_DB, def: 0, unit: "DB" }),
      get: (k) => k.settings.lossDb,
      set: (k, db) => {
        k.settings.lossDb = db;
      },
      format: nr3u,
    }),
    setting<Core, number>("[:SENSe[1]]:CORRection:BEAMdiameter", {
      param: numeric<Core>({
        min: MIN_BEAM_DIAMETER / MM,
        max: (k) => k.requireSensor().apertureDiameter / MM,
        def: (k) => k.requireSensor().apertureDiameter / MM,
        unit: "MM",
      }),
      get: (k) => {
        k.requireSensor();
        return k.settings.beamDiameter / MM;
      },
      set: (k, mm) => {
        k.settings.beamDiameter = mm * MM;
      },
      format: nr3u,
    }),
    command("[:SENSe[1]]:CORRection:COLLect:ZERO[:INITiate]", {
      set: { params: [], run: (k) => k.startZero() },
    }),
    command("[:SENSe[1]]:CORRection:COLLect:ZERO:ABORt", {
      set: { params: [], run: (k) => k.abortZero() },
    }),
    command("[:SENSe[1]]:CORRection:COLLect:ZERO:STATe", {
      query: { run: (k) => boolean(k.zeroRunning) },
    }),
    // The zero current, A (PM100D2 reference: "zero current in Ampere").
    command("[:SENSe[1]]:CORRection:COLLect:ZERO:MAGNitude", {
      query: { run: (k) => k.settled(() => nr3u(k.zeroCurrent)) },
    }),
    setting<Core, number>("[:SENSe[1]]:AVERage[:COUNt]", {
      param: numeric<Core>({ min: 1, max: MAX_AVERAGE_COUNT, def: 1, integer: true }),
      get: (k) => k.settings.averageCount,
      set: (k, count) => {
        k.settings.averageCount = count;
      },
      format: nr1,
    }),
    // The range as the full-scale power at the correction wavelength, W; setting one turns autorange off.
    setting<Core, number>("[:SENSe[1]]:POWer[:DC]:RANGe[:UPPer]", {
      param: numeric<Core>({
        min: 0,
        max: (k) => k.powerOfRange(HIGHEST),
        unit: "W",
        keywords: {
          MINimum: (k) => k.powerOfRange(LOWEST),
          MAXimum: (k) => k.powerOfRange(HIGHEST),
          UP: (k) => k.powerOfRange(stepRange(CURRENT_RANGES, k.settings.currentRange, "UP")),
          DOWN: (k) => k.powerOfRange(stepRange(CURRENT_RANGES, k.settings.currentRange, "DOWN")),
        },
      }),
      get: (k) => k.powerRange,
      set: (k, watts) => {
        k.settings.currentRange = k.rangeForPower(watts);
        k.settings.rangeAutoEnabled = false;
      },
      format: nr3u,
    }),
    setting<Core, number>("[:SENSe[1]]:CURRent[:DC]:RANGe[:UPPer]", {
      param: numeric<Core>({
        min: 0,
        max: HIGHEST,
        unit: "A",
        keywords: {
          MINimum: LOWEST,
          MAXimum: HIGHEST,
          UP: (k) => stepRange(CURRENT_RANGES, k.settings.currentRange, "UP"),
          DOWN: (k) => stepRange(CURRENT_RANGES, k.settings.currentRange, "DOWN"),
        },
      }),
      get: (k) => k.settings.currentRange,
      set: (k, amps) => {
        k.settings.currentRange = rangeFor(CURRENT_RANGES, amps);
        k.settings.rangeAutoEnabled = false;
      },
      format: nr3u,
    }),
    // One autorange for both: the power and current ranges are one gain setting of the input.
    ...["POWer", "CURRent"].map((fn) =>
      setting<Core, boolean>(`[:SENSe[1]]:${fn}[:DC]:RANGe:AUTO`, {
        param: bool(),
        get: (k) => k.settings.rangeAutoEnabled,
        set: (k, on) => {
          k.settings.rangeAutoEnabled = on;
        },
        format: boolean,
      }),
    ),
    setting<Core, PowerUnit>("[:SENSe[1]]:POWer[:DC]:UNIT", {
      param: choice(["W", "DBM"]),
      get: (k) => k.settings.powerUnit,
      set: (k, unit) => {
        k.settings.powerUnit = unit;
      },
      format: (unit) => unit,
    }),
  ];
}
