import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";

describe("pms --help teaches", () => {
  it("lists the commands", () => {
    const help = buildProgram().helpInformation();
    expect(help).toMatch(/iv .*sweep a bipolar voltage triangle/);
    expect(help).toMatch(/virtual .*serve the virtual bench/);
  });

  it.each([
    ["--amplitude <V>", /peak voltage of the triangle, V \(default: 1\.2\)/],
    ["--compliance <A>", /current compliance, A \(default: 0\.01\)/],
    ["--max-voltage <V>", /safety limit: largest \|V\|/],
    ["--model <id>", /vteam,\s+linear-ion-drift-joglekar/],
  ])("iv documents %s with its unit and default", (_, pattern) => {
    expect(
      buildProgram()
        .commands.find((c) => c.name() === "iv")
        ?.helpInformation(),
    ).toMatch(pattern);
  });

  it("refuses a bad number naming the option, before anything runs", async () => {
    const program = buildProgram().exitOverride();
    let stderr = "";
    for (const c of program.commands) {
      c.exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
    }
    await expect(program.parseAsync(["node", "pms", "iv", "--amplitude", "lots"])).rejects.toThrow();
    expect(stderr).toMatch(
      /option '-a, --amplitude <V>' argument 'lots' is invalid\. "lots" is not a number\./,
    );
  });
});
