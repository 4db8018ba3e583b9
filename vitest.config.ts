import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests against real instruments: `npm run test:hardware` (vitest.hardware.config.ts).
    exclude: ["test/hardware/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default"],
  },
});
