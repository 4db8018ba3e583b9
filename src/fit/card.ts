/**
 * Model cards (issue 18): what a calibration found, as a versioned JSON
 * file that the twin loads and a person reads (`pms card show`).
 *
 * The schema is the zod schema below; `modelCardJsonSchema()` gives it as
 * JSON Schema (draft 2020-12) for other languages, and
 * calibration/model-card.schema.json is that output, kept equal to it by a
 * test. A card holds the chip, the recipe and its version, the date, the
 * instruments' identities, every parameter with unit, value, standard
 * error and whether it was free, the covariance and correlation of the
 * free ones, the fit statistics, the fit's diagnostics, what the data
 * could and could not tell apart (the recipe's own words), and the uids of
 * the runs holding the raw data. Numbers JSON cannot hold (an infinite
 * error along an unidentifiable direction, a correlation with it) are
 * null.
 *
 * Loading validates: a file that is not JSON, a card of another schema
 * version or one missing a field is a ModelCardError naming the file and
 * what is wrong, never a card with holes.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { FitDiagnostic, FitResult } from "./levenberg-marquardt.js";

/** The schema version this code writes and reads. */
export const MODEL_CARD_VERSION = 1;

const finiteOrNull = z.number().nullable();

const parameterSchema = z.strictObject({
  name: z.string().min(1),
  unit: z.string(),
  value: z.number(),
  /** null: infinite (the data cannot tell it); 0 for a fixed parameter. */
  standardError: finiteOrNull,
  free: z.boolean(),
  scale: z.enum(["linear", "log"]),
  lower: z.number(),
  upper: z.number(),
});

export const modelCardSchema = z
  .object({
    schema: z.literal("pms-model-card"),
    schemaVersion: z.literal(MODEL_CARD_VERSION),
    chip: z.strictObject({ id: z.string().min(1) }),
    recipe: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }),
    /** ISO 8601, UTC. */
    createdAt: z.iso.datetime(),
    instruments: z.array(
      z.strictObject({
        name: z.string(),
        manufacturer: z.string(),
        model: z.string(),
        serial: z.string(),
        firmware: z.string(),
      }),
    ),
    model: z.strictObject({ name: z.string().min(1), citation: z.string().optional() }),
    parameters: z.array(parameterSchema).min(1),
    /** The free parameters, in the order of the matrices' rows. */
    free: z.array(z.string()),
    covariance: z.array(z.array(finiteOrNull)),
    correlation: z.array(z.array(finiteOrNull)),
    fit: z.strictObject({
      points: z.number().int().nonnegative(),
      chiSquare: z.number(),
      degreesOfFreedom: z.number().int(),
      reducedChiSquare: finiteOrNull,
      scaledByReducedChiSquare: z.boolean(),
      iterations: z.number().int().nonnegative(),
      reason: z.enum(["gradient", "step", "chi-square", "exact", "stalled", "max-iterations"]),
      converged: z.boolean(),
      usable: z.boolean(),
    }),
    diagnostics: z.array(z.object({ kind: z.string(), message: z.string() }).loose()),
    /** What the data determine and what they cannot separate, as the recipe says it. */
    identifiability: z.array(z.string()),
    /**
     * Quantities the recipe derives from the fit or from a second fit (a loaded Q, the couplers behind a
     * ring's normalisation), each with its unit, value, standard error (null: not given) and how it was got.
     */
    derived: z.array(
      z.strictObject({
        name: z.string().min(1),
        unit: z.string(),
        value: z.number(),
        standardError: finiteOrNull,
        note: z.string(),
      }),
    ),
    runs: z.array(z.string()),
  })
  .strict()
  .superRefine((card, context) => {
    // The matrices and the free list describe the free parameters, the same ones in the same order.
    const free = card.parameters.filter((p) => p.free).map((p) => p.name);
    if (JSON.stringify(free) !== JSON.stringify(card.free)) {
      context.addIssue({
        code: "custom",
        path: ["free"],
        message: `lists ${JSON.stringify(card.free)}, but the parameters marked free are ${JSON.stringify(free)}`,
      });
    }
    for (const key of ["covariance", "correlation"] as const) {
      const rows = card[key];
      if (rows.length !== card.free.length || rows.some((row) => row.length !== card.free.length)) {
        context.addIssue({
          code: "custom",
          path: [key],
          message: `must be ${card.free.length} × ${card.free.length}, one row and column per free parameter`,
        });
      }
    }
  });

export type ModelCard = z.infer<typeof modelCardSchema>;

/** A card that cannot be loaded: the file and what is wrong with it. */
export class ModelCardError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: not a model card this version reads: ${problem}`);
    this.name = "ModelCardError";
  }
}

/** The card's JSON Schema (what calibration/model-card.schema.json holds). */
export function modelCardJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://photon-memristor-sim/schemas/model-card-v1.json",
    title: "photon-memristor-sim model card",
    ...z.toJSONSchema(modelCardSchema),
  };
}

export interface CardContext {
  readonly chipId: string;
  readonly recipe: { readonly name: string; readonly version: string };
  readonly model: { readonly name: string; readonly citation?: string };
  readonly instruments?: ModelCard["instruments"];
  readonly identifiability?: readonly string[];
  readonly derived?: ModelCard["derived"];
  readonly runs?: readonly string[];
  /** Default: now. */
  readonly createdAt?: Date;
  readonly points: number;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A card of `fit`, checked against the schema as it is built. */
export function cardOf(fit: FitResult, context: CardContext): ModelCard {
  const size = fit.free.length;
  const matrix = (values: Float64Array) =>
    Array.from({ length: size }, (_, k) =>
      Array.from({ length: size }, (_, l) => finite(values[k * size + l] as number)),
    );
  const card: ModelCard = {
    schema: "pms-model-card",
    schemaVersion: MODEL_CARD_VERSION,
    chip: { id: context.chipId },
    recipe: { ...context.recipe },
    createdAt: (context.createdAt ?? new Date()).toISOString(),
    instruments: [...(context.instruments ?? [])],
    model: { ...context.model },
    parameters: fit.parameters.map((p) => ({ ...p, standardError: finite(p.standardError) })),
    free: [...fit.free],
    covariance: matrix(fit.covariance),
    correlation: matrix(fit.correlation),
    fit: {
      points: context.points,
      chiSquare: fit.chiSquare,
      degreesOfFreedom: fit.degreesOfFreedom,
      reducedChiSquare: finite(fit.reducedChiSquare),
      scaledByReducedChiSquare: fit.scaledByReducedChiSquare,
      iterations: fit.iterations,
      reason: fit.reason,
      converged: fit.converged,
      usable: fit.usable,
    },
    diagnostics: fit.diagnostics.map(
      (d: FitDiagnostic) => JSON.parse(JSON.stringify(d)) as ModelCard["diagnostics"][number],
    ),
    identifiability: [...(context.identifiability ?? [])],
    derived: (context.derived ?? []).map((d) => ({
      ...d,
      standardError: d.standardError === null ? null : finite(d.standardError),
    })),
    runs: [...(context.runs ?? [])],
  };
  return modelCardSchema.parse(card);
}

/** Checks `value` (parsed JSON from `file`) as a card of this version. */
export function checkCard(value: unknown, file: string): ModelCard {
  if (typeof value === "object" && value !== null && "schemaVersion" in value) {
    const version = (value as { schemaVersion: unknown }).schemaVersion;
    if (version !== MODEL_CARD_VERSION) {
      throw new ModelCardError(
        file,
        `its schemaVersion is ${JSON.stringify(version)}; this version of pms reads version ${MODEL_CARD_VERSION}`,
      );
    }
  }
  const parsed = modelCardSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "the top level";
    throw new ModelCardError(file, `${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Reads and checks the card at `file`. */
export function readCard(file: string): ModelCard {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ModelCardError(file, `cannot be read (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelCardError(file, `not JSON (${(error as Error).message})`);
  }
  return checkCard(value, file);
}

/** value ± error, the error to two significant digits and the value to the same place. */
export function valueWithError(value: number, error: number | null, free: boolean): string {
  if (!free) return `${value.toPrecision(6)} (fixed)`;
  if (error === null) return `${value.toPrecision(6)} ± ∞ (not determined)`;
  if (!(error > 0)) return value.toPrecision(6);
  const rounded = Number(error.toPrecision(2)); // 0.0996 → 0.10: its place is the rounded error's
  const place = Math.floor(Math.log10(rounded)) - 1; // the error's second significant digit
  if (Math.abs(value) < 10 ** place && place >= -12 && place <= 0) {
    // Below the error's last digit: zero at this precision, whatever its sign.
    return `${(0).toFixed(-place)} ± ${rounded.toFixed(-place)}`;
  }
  if (Math.abs(value) >= 1e-3 && Math.abs(value) < 1e5 && place >= -12 && place <= 0) {
    const decimals = -place;
    return `${value.toFixed(decimals)} ± ${rounded.toFixed(decimals)}`;
  }
  const exponent = Math.floor(Math.log10(Math.abs(value) || rounded));
  const mantissa = Math.min(15, Math.max(0, exponent - place));
  return `${value.toExponential(mantissa)} ± ${rounded.toExponential(1)}`;
}

/** The card as a person reads it: what, where, when, the parameters with their errors, the fit's quality and warnings. */
export function formatCard(card: ModelCard): string {
  const lines: string[] = [];
  lines.push(`Model card: ${card.model.name} of chip ${card.chip.id}`);
  lines.push(`  recipe ${card.recipe.name} ${card.recipe.version}, ${card.createdAt}`);
  if (card.model.citation) lines.push(`  model: ${card.model.citation}`);
  for (const i of card.instruments) {
    lines.push(
      `  instrument ${i.name}: ${i.manufacturer} ${i.model}, serial ${i.serial}, firmware ${i.firmware}`,
    );
  }
  lines.push("");
  const width = Math.max(...card.parameters.map((p) => p.name.length));
  lines.push("Parameters");
  for (const p of card.parameters) {
    const unit = p.unit === "1" ? "" : ` ${p.unit}`;
    lines.push(
      `  ${p.name.padEnd(width)}  ${valueWithError(p.value, p.standardError, p.free)}${unit}${p.scale === "log" ? "  (fitted in log)" : ""}`,
    );
  }
  lines.push("");
  const f = card.fit;
  lines.push(
    `Fit: ${f.points} points, χ² = ${f.chiSquare.toPrecision(6)}, ${f.degreesOfFreedom} degrees of freedom, ` +
      `reduced χ² = ${f.reducedChiSquare === null ? "—" : f.reducedChiSquare.toPrecision(4)}` +
      (f.scaledByReducedChiSquare ? " (errors scaled by it: no absolute uncertainties)" : ""),
  );
  lines.push(
    `  ${f.converged ? "converged" : "did NOT converge"} (${f.reason}) after ${f.iterations} iterations; ${f.usable ? "usable" : "NOT usable as it stands: see the warnings"}`,
  );
  const strong: string[] = [];
  for (const [k, row] of card.correlation.entries()) {
    for (let l = k + 1; l < row.length; l++) {
      const r = row[l];
      if (r !== null && r !== undefined && Math.abs(r) >= 0.9)
        strong.push(`${card.free[k]} ~ ${card.free[l]}: ${r.toFixed(3)}`);
    }
  }
  if (strong.length > 0) lines.push(`  strong correlations: ${strong.join("; ")}`);
  if (card.derived.length > 0) {
    lines.push("");
    lines.push("Derived");
    const dw = Math.max(...card.derived.map((d) => d.name.length));
    for (const d of card.derived) {
      const unit = d.unit === "1" ? "" : ` ${d.unit}`;
      lines.push(
        `  ${d.name.padEnd(dw)}  ${d.standardError === null ? d.value.toPrecision(6) : valueWithError(d.value, d.standardError, true)}${unit}  (${d.note})`,
      );
    }
  }
  if (card.identifiability.length > 0) {
    lines.push("");
    lines.push("What the data determine");
    for (const line of card.identifiability) lines.push(`  - ${line}`);
  }
  if (card.diagnostics.length > 0) {
    lines.push("");
    lines.push("Warnings");
    for (const d of card.diagnostics) lines.push(`  - ${d.kind}: ${d.message}`);
  }
  if (card.runs.length > 0) {
    lines.push("");
    lines.push(
      `Raw data: run${card.runs.length > 1 ? "s" : ""} ${card.runs.join(", ")} (pms runs show <uid>)`,
    );
  }
  return `${lines.join("\n")}\n`;
}
