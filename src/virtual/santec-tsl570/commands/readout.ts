/**
 * The wavelength log (INSTRUMENTS.md, "Santec TSL-570"):
 * `:READout:POINts?` is the number of logged wavelengths, one per trigger
 * of the last sweep (../sweep.ts, `TriggerLog`); `:READout:DATa?` is an
 * IEEE 488.2 definite-length block of them, 4 bytes each, little-endian
 * int32 in units of 0.1 pm — the reading of Santec's newer sample
 * (samples/tsl_instrument/get_wavelength_lan.py, `datatype='i'`, ÷10⁴ to
 * nm) and of QMI (`readout_data`: "value 0x0040F844 (little Endian order)
 * = 4520000 corresponds to 452.0000nm") — sent with no terminator after
 * it (../instrument.ts). Santec's older class reads float32 and others
 * float64: INSTRUMENTS.md says why this one was chosen.
 */
import { WAVELENGTH_RESOLUTION } from "../ranges.js";
import { definiteBlock } from "../wire-format.js";
import { command } from "./quantity.js";

export function readoutCommands() {
  return [
    command(":READout:POINts", { query: { run: (core) => String(core.logged().length) } }),
    command(":READout:DATa", {
      query: {
        run(core) {
          const wavelengths = core.logged();
          const bytes = new Uint8Array(4 * wavelengths.length);
          const view = new DataView(bytes.buffer);
          wavelengths.forEach((wavelength, i) => {
            view.setInt32(4 * i, Math.round(wavelength / WAVELENGTH_RESOLUTION), true);
          });
          return definiteBlock(bytes);
        },
      },
    }),
  ];
}
