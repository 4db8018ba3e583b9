/**
 * `pms card`: model cards, the files calibration writes (issue 18).
 * `show` prints one as a person reads it, after checking it against the
 * card schema; `schema` prints the schema as JSON Schema, for tools in
 * other languages.
 */
import type { Command } from "commander";
import { formatCard, modelCardJsonSchema, readCard } from "../../fit/card.js";

export function registerCard(program: Command): void {
  const card = program
    .command("card")
    .description("show model cards (what a calibration found) and their schema")
    .addHelpText(
      "after",
      `
A model card is a JSON file a calibration recipe writes: the chip, the recipe
and its version, the instruments, every parameter with its unit, value and
standard error, their covariance, the fit's statistics and warnings, what
the data could not tell apart, and the run store uids of the raw data.

Examples:
  pms card show cards/ring-chip7.json
  pms card schema > model-card.schema.json`,
    );
  card
    .command("show")
    .description("print a model card as a person reads it (checked against the schema first)")
    .argument("<file>", "the card, a JSON file")
    .action((file: string) => {
      process.stdout.write(formatCard(readCard(file)));
    });
  card
    .command("schema")
    .description("print the model card's JSON Schema")
    .action(() => {
      process.stdout.write(`${JSON.stringify(modelCardJsonSchema(), null, 2)}\n`);
    });
}
