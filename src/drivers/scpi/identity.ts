/**
 * The `*IDN?` reply (IEEE 488.2 §10.14): four comma-separated fields.
 */

export interface Identity {
  readonly manufacturer: string;
  readonly model: string;
  /** "0" where the instrument does not report one (IEEE 488.2). */
  readonly serial: string;
  readonly firmware: string;
}

/** Parses `manufacturer,model,serial,firmware`; undefined unless there are exactly four fields. */
export function parseIdentity(text: string): Identity | undefined {
  const fields = text.split(",").map((field) => field.trim());
  if (fields.length !== 4) return undefined;
  const [manufacturer = "", model = "", serial = "", firmware = ""] = fields;
  return { manufacturer, model, serial, firmware };
}
