/**
 * Every memristor model by its id, for the places that pick one by name:
 * the command line, recipes, model cards.
 */
import {
  linearIonDriftBiolek,
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  linearIonDriftProdromakis,
} from "./linear-ion-drift.js";
import type { MemristorModel } from "./types.js";
import { vteam } from "./vteam.js";
import { yakopcic } from "./yakopcic.js";

export const memristorModels: Readonly<Record<string, MemristorModel>> = Object.fromEntries(
  [
    vteam,
    linearIonDriftJoglekar,
    linearIonDriftBiolek,
    linearIonDriftProdromakis,
    linearIonDriftIdeal,
    yakopcic,
  ].map((model) => [model.id, model as unknown as MemristorModel]),
);
