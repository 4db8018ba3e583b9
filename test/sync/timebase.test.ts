import { describe, expect, it } from "vitest";
import { describeTimebase, hostTimebase, instrumentTimeMapper } from "../../src/sync/timebase.js";

describe("host timebase", () => {
  it("counts host-monotonic seconds from its anchor, which records the wall-clock time beside it", async () => {
    const timebase = hostTimebase();
    const start = timebase.now();
    await timebase.sleep(0.02);
    expect(timebase.now() - start).toBeGreaterThanOrEqual(0.019);
    const record = describeTimebase(timebase);
    expect(record.kind).toBe("host");
    expect(BigInt(record.anchor.hrtimeNs)).toBe(timebase.anchor.hrtimeNs);
    expect(Math.abs(record.anchor.wallSeconds - Date.now() / 1000)).toBeLessThan(1);
    // Declaring a request holds nothing on the host.
    const release = timebase.declare("TCPIP::127.0.0.1::5025::SOCKET");
    expect(release()).toBeUndefined();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses to sleep %s s", (seconds) => {
    expect(() => hostTimebase().sleep(seconds)).toThrow(/finite number of seconds/);
  });
});

describe("instrumentTimeMapper", () => {
  it("puts the first batch's last reading at its arrival and keeps the instrument's spacing after", () => {
    const map = instrumentTimeMapper();
    expect(Array.from(map([10, 10.5, 11], 100))).toEqual([99, 99.5, 100]);
    // The instrument's clock runs faster than the run's (a simulated instrument seen from host time):
    // its spacing is kept, so the run's times still increase.
    expect(Array.from(map([20, 21], 100.2))).toEqual([109, 110]);
  });

  it("anchors afresh when the instrument's clock goes back, keeping the run's times increasing", () => {
    const map = instrumentTimeMapper();
    map([50, 60], 5);
    // :SYST:TIME:RES: the instrument's times restart near 0.
    expect(Array.from(map([0.1, 0.2], 7))).toEqual([expect.closeTo(6.9, 12), 7]);
    // A reset that would put the batch before the last one is placed right after it instead.
    expect(Array.from(map([0, 100], 7.5))).toEqual([7, 107]);
  });
});
