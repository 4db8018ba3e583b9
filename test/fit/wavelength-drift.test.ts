/**
 * src/fit/models/wavelength-drift.ts: a model read while the chip drifts.
 * Checked against what it says: with no drift it is the inner model; a
 * drift δ shifts each point by δ(t − t_ref); its Jacobian, the drift's
 * column by its own differences included, against central differences.
 */
import { describe, expect, it } from "vitest";
import { lorentzianDipFitModel } from "../../src/fit/models/lorentzian-dip.js";
import { wavelengthDrifted } from "../../src/fit/models/wavelength-drift.js";
import { jacobianError } from "../calibration/support.js";

const λ = Float64Array.from({ length: 81 }, (_, i) => 1.5536e-6 + i * 10e-12);
const t = Float64Array.from(λ, (_, i) => i * 0.1);
const dip = [1.554e-6, 45e-12, 0.8, 0.3, 1e5];

describe("wavelengthDrifted", () => {
  it("is the inner model with no drift, and the inner model shifted by δ(t − t_ref) with one", () => {
    const model = wavelengthDrifted(lorentzianDipFitModel, λ, t, 4);
    const inner = new Float64Array(λ.length);
    lorentzianDipFitModel(λ).evaluate(Float64Array.from(dip), inner);
    const still = new Float64Array(λ.length);
    model.evaluate(Float64Array.from([...dip, 0]), still);
    expect(Array.from(still)).toEqual(Array.from(inner));
    // A drift of 1 pm/s seen at t − t_ref: the same as the dip's centre moved by δ(t − t_ref) at that point.
    const drifting = new Float64Array(λ.length);
    model.evaluate(Float64Array.from([...dip, 1e-12]), drifting);
    for (const i of [0, 40, 80]) {
      const moved = new Float64Array(1);
      const centre = (dip[0] as number) + 1e-12 * ((t[i] as number) - 4);
      lorentzianDipFitModel(Float64Array.of(λ[i] as number)).evaluate(
        Float64Array.from([centre, ...dip.slice(1)]),
        moved,
      );
      expect(drifting[i]).toBeCloseTo(moved[0] as number, 12);
    }
    expect(model.parameters.map((p) => p.name).at(-1)).toBe("driftRate");
  });

  it("gives its Jacobian, the drift's column included, against central differences", () => {
    const model = wavelengthDrifted(lorentzianDipFitModel, λ, t, 4);
    expect(
      jacobianError(
        model,
        Float64Array.from([...dip, 2e-13]),
        λ.length,
        [1e-16, 1e-16, 1e-6, 1e-6, 1e1, 1e-16],
      ),
    ).toBeLessThan(1e-5);
  });

  it("refuses times that do not match the wavelengths", () => {
    expect(() => wavelengthDrifted(lorentzianDipFitModel, λ, t.subarray(1), 0)).toThrow(
      /80 times for 81 wavelengths/,
    );
  });
});
