/**
 * Where each number sits in the demo chip's flat arrays: the parameter
 * vector (the order of `chipParameters`, ../parameters.ts), the state, the
 * stimulus and the electrical observables. Shared by the TypeScript model
 * and the WASM kernel (src/core/assembly/chip.ts), which index the same
 * arrays (rules for portable files: src/models/memristor/portable/README.md;
 * AssemblyScript reads these integer constants as i32).
 * test/models/chip/parameters.test.ts holds the table to this layout.
 */

// ---- parameters: the static demo chip's (src/models/circuit/demo-chip.ts), in its order
export const GC_IN_PEAK = 0;
export const GC_IN_CENTRE = 1;
export const GC_IN_BANDWIDTH = 2;
export const BUS_IN_LENGTH = 3;
export const BUS_IN_LOSS = 4;
export const BUS_IN_NEFF = 5;
export const BUS_IN_NG = 6;
export const BUS_IN_LAMBDA0 = 7;
export const COUPLING = 8;
export const COUPLER_LOSS = 9;
export const RING_LENGTH = 10;
export const RING_LOSS = 11;
export const RING_NEFF = 12;
export const RING_NG = 13;
export const RING_LAMBDA0 = 14;
export const PI_POWER = 15;
export const HEATER_RESISTANCE = 16;
export const HEATER_LOSS = 17;
export const PATCH_LENGTH = 18;
export const PATCH_CONFINEMENT = 19;
export const PATCH_CLADDING = 20;
export const PATCH_LOSS = 21;
export const PATCH_NEFF = 22;
export const PATCH_NG = 23;
export const PATCH_LAMBDA0 = 24;
export const GST_AMORPHOUS_INDEX = 25;
export const GST_AMORPHOUS_EXTINCTION = 26;
export const GST_CRYSTALLINE_INDEX = 27;
export const GST_CRYSTALLINE_EXTINCTION = 28;
export const BUS_OUT_LENGTH = 29;
export const BUS_OUT_LOSS = 30;
export const BUS_OUT_NEFF = 31;
export const BUS_OUT_NG = 32;
export const BUS_OUT_LAMBDA0 = 33;
export const GC_OUT_PEAK = 34;
export const GC_OUT_CENTRE = 35;
export const GC_OUT_BANDWIDTH = 36;
export const LINE_R_ON = 37;
export const LINE_R_OFF = 38;
export const LINE_THICKNESS = 39;
export const LINE_MOBILITY = 40;
// ---- the standalone VTEAM memristor (src/models/memristor/vteam.ts order)
export const SA_R_ON = 41;
export const SA_R_OFF = 42;
export const SA_W_ON = 43;
export const SA_W_OFF = 44;
export const SA_K_ON = 45;
export const SA_K_OFF = 46;
export const SA_ALPHA_ON = 47;
export const SA_ALPHA_OFF = 48;
export const SA_V_ON = 49;
export const SA_V_OFF = 50;
// ---- dynamics
export const THERMAL_RESISTANCE = 51;
export const THERMAL_TIME_CONSTANT = 52;
export const AMBIENT_DRIFT_RATE = 53;
export const HEATING_SHARE = 54;
// ---- the phase-change cell (src/models/phase-change/cell.ts order)
export const CELL_HEAT_CAPACITY = 55;
export const CELL_THERMAL_RESISTANCE = 56;
export const CELL_AMBIENT = 57;
export const CELL_CRYSTALLISATION = 58;
export const CELL_MELTING = 59;
export const CELL_ACTIVATION = 60;
export const CELL_PREFACTOR = 61;
export const CELL_AVRAMI = 62;
export const PARAMETER_COUNT = 63;

// ---- state
/** x of the heater-line memristor (linear ion drift), 1. */
export const LINE_STATE = 0;
/** w of the standalone memristor (VTEAM), m. */
export const STANDALONE_STATE = 1;
/** ΔT_h: the heater's (the ring's) temperature rise, K. */
export const HEATER_RISE = 2;
/** T_c: the phase-change patch's temperature, K. */
export const CELL_TEMPERATURE = 3;
/** X: the patch's crystalline fraction, 1. */
export const CELL_FRACTION = 4;
/** ΔT_amb: the ambient drift since the start, K. */
export const AMBIENT_RISE = 5;
export const STATE_SIZE = 6;

// ---- stimulus: per port [mode, level, limit]
export const HEATER_PORT = 0;
export const LINE_PORT = 3;
export const MEMRISTOR_PORT = 6;
export const STIMULUS_SIZE = 9;
/** Drive modes, as stored in the stimulus. */
export const MODE_OPEN = 0;
export const MODE_VOLTAGE = 1;
export const MODE_CURRENT = 2;

// ---- electrical observables
export const HEATER_VOLTAGE = 0;
export const HEATER_CURRENT = 1;
export const LINE_VOLTAGE = 2;
export const LINE_CURRENT = 3;
export const MEMRISTOR_VOLTAGE = 4;
export const MEMRISTOR_CURRENT = 5;
export const HEATER_POWER = 6;
/** Differentiable observables: the seven above. */
export const ELECTRICAL_SIZE = 7;
/** 1 where the port's compliance limits it, else 0 (not differentiable). */
export const HEATER_LIMITED = 7;
export const LINE_LIMITED = 8;
export const MEMRISTOR_LIMITED = 9;
export const ELECTRICAL_OUTPUT_SIZE = 10;

// ---- optical paths
export const RING_PATH = 0;
export const REFERENCE_PATH = 1;
