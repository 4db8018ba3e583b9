/**
 * The sensor head of a Thorlabs PM100 console, as the console sees it: the
 * identity and calibration its EEPROM holds (name, serial, calibration
 * date, type, subtype, capability flags, responsivity against wavelength),
 * plus the few physical figures the virtual head needs (dark current,
 * resolution).
 *
 * `SYSTem:SENSor:IDN?` sends the first six as
 * `<name>,<sn>,<cal_msg>,<type>,<subtype>,<flags>`, unquoted on the
 * PM100D/PM100USB generation ("S130C,210921324,21-SEP-2021,1,3,33" is
 * PyMeasure's recording of a PM100D, tests/instruments/thorlabs/
 * test_thorlabspm100usb.py), flags in NR1 (PM100D manual 17654-D02 §6.4,
 * p. 49; INSTRUMENTS.md).
 */

/**
 * Capability flags of `SYSTem:SENSor:IDN?` (PM100D manual 17654-D02 p. 49:
 * "Is power sensor 1, Is energy sensor 2, Response settable 16, Wavelength
 * settable 32, Tau settable 64, Has temperature sensor 256"). Real heads
 * report small values (33 for an S120C or S130C: a power sensor whose
 * wavelength can be set), which a driver that expects nine bits crashes on
 * (PyMeasure issue #498, fixed by PR #504).
 */
export const SENSOR_FLAG = {
  POWER: 1,
  ENERGY: 2,
  RESPONSE_SETTABLE: 16,
  WAVELENGTH_SETTABLE: 32,
  TAU_SETTABLE: 64,
  TEMPERATURE_SENSOR: 256,
} as const;

/** Sensor types (Thorlabs' PM100D2 SCPI reference, `SYST:SENS#:IDN?`: 1 photodiode, 2 thermopile, 3 pyroelectric). */
export const SENSOR_TYPE = { PHOTODIODE: 1 } as const;

/** What a PM100 console knows of its head. SI units; nm only on the wire. */
export interface Pm100SensorSpec {
  /** Model name, the first field of `SYST:SENS:IDN?` ("S144C"). */
  readonly name: string;
  readonly serialNumber: string;
  /** Calibration date as the head sends it: dd-MON-yyyy ("21-SEP-2021"). */
  readonly calibrationDate: string;
  /** Sensor type; only photodiodes ({@link SENSOR_TYPE}) are modelled. */
  readonly type: number;
  /** 1 adapter, 2 sensor, 3 sensor with filter slider, 18 sensor with temperature sensor (PM100D2 reference). */
  readonly subtype: number;
  /** Bit field of {@link SENSOR_FLAG}. */
  readonly flags: number;
  /** Calibrated wavelength range, m: `SENS:CORR:WAV` is refused outside it. */
  readonly wavelengthMin: number;
  readonly wavelengthMax: number;
  /** Correction wavelength after `*RST`, m. */
  readonly defaultWavelength: number;
  /**
   * Responsivity calibration, A/W at each wavelength (m, increasing);
   * linear in between, 0 outside (the head does not respond there).
   */
  readonly responsivity: { readonly wavelengths: readonly number[]; readonly values: readonly number[] };
  /** Current with no light, A: the offset the dark zero removes. */
  readonly darkCurrent: number;
  /** Power resolution at the responsivity's peak, W: taken as the rms noise of one sample. */
  readonly resolution: number;
  /** Largest power the head takes, W. */
  readonly maxPower: number;
  /** Input aperture, m: the largest beam diameter `SENS:CORR:BEAM` takes. */
  readonly apertureDiameter: number;
}

const NM = 1e-9;

/**
 * Thorlabs S144C: an integrating-sphere head with an InGaAs photodiode,
 * 800–1700 nm, 1 µW–500 mW, 1 nW resolution (Thorlabs S144C spec sheet;
 * the search tools here could not retrieve it, so these are the product
 * page's figures as recalled: check them against the sheet).
 *
 * Responsivity: the head's own table is per unit and not public. Its peak
 * follows from the console: the PM100USB's top current range, 5 mA, must
 * hold the head's 500 mW, so the effective responsivity (photodiode times
 * sphere throughput) is at most 5 mA / 500 mW = 0.01 A/W; the table is
 * that peak times the usual shape of an InGaAs PIN photodiode (low near
 * 800 nm, peak near 1600 nm, falling off towards the 1.7 µm band edge).
 * Subtype 2 and flags 33 (power sensor, wavelength settable) as the S120C
 * and S130C report them; the aperture (Ø5 mm), the dark current (20 pA)
 * and the serial and calibration date are assumptions.
 */
export const S144C: Pm100SensorSpec = Object.freeze({
  name: "S144C",
  serialNumber: "220315101",
  calibrationDate: "15-MAR-2022",
  type: SENSOR_TYPE.PHOTODIODE,
  subtype: 2,
  flags: SENSOR_FLAG.POWER | SENSOR_FLAG.WAVELENGTH_SETTABLE,
  wavelengthMin: 800 * NM,
  wavelengthMax: 1700 * NM,
  defaultWavelength: 1550 * NM,
  responsivity: Object.freeze({
    wavelengths: Object.freeze(
      [800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1550, 1600, 1650, 1700].map((nm) => nm * NM),
    ),
    values: Object.freeze([
      2.0e-3, 5.4e-3, 6.5e-3, 7.1e-3, 7.6e-3, 8.3e-3, 8.8e-3, 9.4e-3, 9.8e-3, 1.0e-2, 9.1e-3, 4.9e-3,
    ]),
  }),
  darkCurrent: 20e-12,
  resolution: 1e-9,
  maxPower: 0.5,
  apertureDiameter: 5e-3,
});

/** The head's responsivity at `wavelength` (m), A/W: linear between table points, 0 outside the table. */
export function responsivityAt(sensor: Pm100SensorSpec, wavelength: number): number {
  const { wavelengths, values } = sensor.responsivity;
  const first = wavelengths[0];
  const last = wavelengths[wavelengths.length - 1];
  if (first === undefined || last === undefined || wavelength < first || wavelength > last) return 0;
  let i = 1;
  while (i < wavelengths.length - 1 && (wavelengths[i] as number) < wavelength) i++;
  const x0 = wavelengths[i - 1] as number;
  const x1 = wavelengths[i] as number;
  const y0 = values[i - 1] as number;
  const y1 = values[i] as number;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (wavelength - x0)) / (x1 - x0);
}

/** The head's largest responsivity, A/W (where its resolution is specified). */
export function peakResponsivity(sensor: Pm100SensorSpec): number {
  return Math.max(...sensor.responsivity.values);
}

/** Checks a spec before a console uses it: a photodiode, a sane table, a default inside the range. */
export function checkSensorSpec(sensor: Pm100SensorSpec): void {
  const where = `sensor ${JSON.stringify(sensor.name)}`;
  if (sensor.type !== SENSOR_TYPE.PHOTODIODE) {
    throw new RangeError(`${where}: only photodiode heads (type 1) are modelled, got type ${sensor.type}`);
  }
  const { wavelengths, values } = sensor.responsivity;
  if (wavelengths.length === 0 || wavelengths.length !== values.length) {
    throw new RangeError(`${where}: the responsivity table needs as many values as wavelengths, and some`);
  }
  if (wavelengths.some((w, i) => !(w > 0) || (i > 0 && !(w > (wavelengths[i - 1] as number))))) {
    throw new RangeError(`${where}: the table's wavelengths must be positive and increasing`);
  }
  if (values.some((r) => !(r >= 0 && r <= 10))) {
    throw new RangeError(`${where}: responsivities must lie in [0, 10] A/W`);
  }
  const { wavelengthMin: min, wavelengthMax: max, defaultWavelength: def } = sensor;
  if (!(min > 0 && min < max && def >= min && def <= max)) {
    throw new RangeError(`${where}: need 0 < wavelengthMin < wavelengthMax and the default between them`);
  }
  if (!(responsivityAt(sensor, min) > 0 && responsivityAt(sensor, max) > 0)) {
    throw new RangeError(`${where}: the responsivity table must cover the wavelength range with values > 0`);
  }
  for (const [name, value] of [
    ["darkCurrent", sensor.darkCurrent],
    ["resolution", sensor.resolution],
    ["maxPower", sensor.maxPower],
    ["apertureDiameter", sensor.apertureDiameter],
  ] as const) {
    if (!(value >= 0 && Number.isFinite(value)))
      throw new RangeError(`${where}: ${name} must be finite and ≥ 0`);
  }
}
