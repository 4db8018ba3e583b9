/** Every memristor model, for it.each tables. */
import {
  type DifferentiableMemristorModel,
  linearIonDriftBiolek,
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  linearIonDriftProdromakis,
  vteam,
} from "../../../src/models/memristor/index.js";

export const allModels: readonly DifferentiableMemristorModel[] = [
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  linearIonDriftBiolek,
  linearIonDriftProdromakis,
  vteam,
];

/** `[id, model]` rows for it.each, so test names say which model. */
export const modelRows = allModels.map((model) => [model.id, model] as const);
