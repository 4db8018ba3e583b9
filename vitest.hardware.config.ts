/**
 * Tests against a real instrument, run only on request and only with its
 * address: PMS_DEVICE_KEITHLEY2400=ASRL/dev/ttyUSB0::INSTR npm run test:hardware
 * (STYLE.md 3). Kept out of `npm test`, so CI never reports them as skipped.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/hardware/**/*.test.ts"],
    testTimeout: 60_000,
    reporters: ["default"],
  },
});
