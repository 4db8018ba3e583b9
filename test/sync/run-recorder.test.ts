import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunRecorder } from "../../src/sync/run-recorder.js";

function recorder() {
  const dir = join(mkdtempSync(join(tmpdir(), "pms-run-")), "run");
  return new RunRecorder(dir, { job: "iv", config: { amplitude_V: 1 } });
}

describe("RunRecorder", () => {
  it("writes rows as they come, exact doubles, NaN as an empty field", () => {
    const run = recorder();
    run.appendRows([
      { name: "time_s", values: Float64Array.from([0, 0.1]) },
      { name: "current_A", values: Float64Array.from([1 / 3, Number.NaN]) },
    ]);
    run.appendRows([
      { name: "time_s", values: Float64Array.from([0.2]) },
      { name: "current_A", values: Float64Array.from([-2.5e-9]) },
    ]);
    const lines = readFileSync(run.dataPath, "utf8").trimEnd().split("\n");
    expect(lines).toEqual(["time_s,current_A", "0,0.3333333333333333", "0.1,", "0.2,-2.5e-9"]);
    expect(Number(lines[1]?.split(",")[1])).toBe(1 / 3);
    expect(run.rowCount).toBe(3);
  });

  it("refuses a batch with other columns rather than writing a misaligned file", () => {
    const run = recorder();
    run.appendRows([{ name: "time_s", values: Float64Array.from([0]) }]);
    expect(() => run.appendRows([{ name: "voltage_V", values: Float64Array.from([0]) }])).toThrow(
      /columns changed from "time_s" to "voltage_V"/,
    );
  });

  it("has a start document from the first moment and a stop document at the end", () => {
    const run = recorder();
    expect(readFileSync(run.dataPath, "utf8")).toBe("");
    expect(readdirSync(run.dir).sort()).toEqual(["commands.jsonl", "data.csv", "run.json"]);
    const started = JSON.parse(readFileSync(run.runPath, "utf8"));
    expect(started.start.job).toBe("iv");
    expect(started.stop.status).toBe("running");
    run.appendExchange({ sent: "*IDN?", received: "KEITHLEY", at: 1 });
    run.finish({ status: "success", summary: { points: 0 } });
    const finished = JSON.parse(readFileSync(run.runPath, "utf8"));
    expect(finished.stop).toMatchObject({ status: "success", summary: { points: 0 }, rows: 0 });
    expect(readFileSync(run.commandsPath, "utf8")).toBe('{"sent":"*IDN?","received":"KEITHLEY","at":1}\n');
  });
});
