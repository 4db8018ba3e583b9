/**
 * Integer codes of the linear ion drift windows in the WASM kernel's
 * `window` argument. Plain numeric constants, compiled by both tsc and asc
 * (src/core/assembly/ imports this file), so the two sides cannot disagree.
 */
export const WINDOW_NONE = 0;
export const WINDOW_JOGLEKAR = 1;
export const WINDOW_BIOLEK = 2;
export const WINDOW_PRODROMAKIS = 3;
