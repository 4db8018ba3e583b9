/**
 * Every memristor model, for it.each tables, each with its characteristic
 * sweep: the sine (amplitude, V; frequency, Hz) at the device's own voltage
 * and time scale, under which its defaults swing the state over 10–40 % of
 * its range a cycle — driven, neither frozen nor saturated (pinned in
 * hysteresis.test.ts). Shared tests that need a drive scale this one (half
 * the frequency, 1.5× the amplitude, …), so every model meets the same test
 * at its own scale.
 *
 * The bench defaults share ±1 V at 1 Hz, the scale of the sweeps the
 * virtual Keithley runs. Yakopcic's published parameter set moves only
 * beyond its thresholds (0.16 V, −0.15 V) and switches in milliseconds at
 * ±0.45 V: ±0.45 V at 1 kHz.
 */
import {
  type DifferentiableMemristorModel,
  linearIonDriftBiolek,
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  linearIonDriftProdromakis,
  vteam,
  yakopcic,
} from "../../../src/models/memristor/index.js";

export interface CharacteristicSweep {
  /** Peak voltage, V. */
  readonly amplitude: number;
  /** Hz. */
  readonly frequency: number;
}

const bench: CharacteristicSweep = { amplitude: 1, frequency: 1 };

const models: readonly (readonly [DifferentiableMemristorModel, CharacteristicSweep])[] = [
  [linearIonDriftIdeal, bench],
  [linearIonDriftJoglekar, bench],
  [linearIonDriftBiolek, bench],
  [linearIonDriftProdromakis, bench],
  [vteam, bench],
  [yakopcic, { amplitude: 0.45, frequency: 1e3 }],
];

export const allModels: readonly DifferentiableMemristorModel[] = models.map(([model]) => model);

/** `[id, model, characteristic sweep]` rows for it.each, so test names say which model. */
export const modelRows = models.map(([model, sweep]) => [model.id, model, sweep] as const);

/** The characteristic sweep of a model of the list. */
export function characteristicSweep(model: DifferentiableMemristorModel): CharacteristicSweep {
  const row = models.find(([candidate]) => candidate === model);
  if (!row) throw new Error(`${model.id} is not in the shared model list`);
  return row[1];
}
