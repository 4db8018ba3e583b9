/**
 * DESIGN.md's layer rules ("The layers", "Rules of the house"), checked in
 * the code: every .ts file under src/ is read, its module specifiers
 * (`import … from`, `import type … from`, `import "x"`, `export … from`,
 * `import("x")`, `require("x")`) are found by a small scanner that skips
 * comments, template literals and regular expressions, relative ones are
 * resolved to the src/ folder they land in, and each rule lists the
 * imports that cross it. The checker is also run on made-up files that
 * break every rule, so that a rule cannot pass because nothing was looked at.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The top-level folders of src/ the rules speak of. */
type Layer =
  | "cli"
  | "plans"
  | "bench"
  | "virtual"
  | "drivers"
  | "models"
  | "core"
  | "sync"
  | "record"
  | "proto"
  | "fit";

interface Rule {
  readonly rule: string;
  /** Layers whose files are checked; "others": every layer not in `to`. */
  readonly from: readonly Layer[] | "others";
  /** Layers they must not import. */
  readonly to: readonly Layer[];
}

const RULES: readonly Rule[] = [
  {
    // The engine and its models are what recipes and the twin call: it reads no instrument, bench, plan or run.
    rule: "nothing in src/fit imports from the instruments, the benches, the plans, the runs or the CLI",
    from: ["fit"],
    to: ["cli", "plans", "bench", "drivers", "virtual", "record"],
  },
  { rule: "nothing outside src/cli imports from src/cli", from: "others", to: ["cli"] },
  { rule: "nothing in src/drivers imports from src/models", from: ["drivers"], to: ["models"] },
  { rule: "nothing in src/models imports from src/drivers", from: ["models"], to: ["drivers"] },
  {
    rule: "nothing in src/models or src/core imports from the layers above them",
    from: ["models", "core"],
    to: ["virtual", "drivers", "bench", "plans", "cli", "fit"],
  },
  {
    rule: "nothing in src/drivers imports from src/virtual (STYLE.md 5)",
    from: ["drivers"],
    to: ["virtual"],
  },
  {
    // Virtual or real is the bench's choice (src/bench/embedded.ts) or the command line's, never a plan's.
    rule: "nothing in src/plans or src/sync imports from src/virtual",
    from: ["plans", "sync"],
    to: ["virtual"],
  },
  {
    // Documents are plain data: the router and the stores know no instrument, model or plan.
    rule: "nothing in src/record imports from the instruments, the models or the layers above it",
    from: ["record"],
    to: ["cli", "plans", "bench", "drivers", "virtual", "models"],
  },
  {
    // What crosses a process boundary needs nothing from the streams (issue 17: the SampleBatch codec moved).
    rule: "nothing in src/proto imports from another layer of src/",
    from: ["proto"],
    to: ["cli", "plans", "bench", "drivers", "virtual", "models", "core", "sync", "record"],
  },
];

/** Keywords and punctuators after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([
  ..."([{,;:=!&|?+-*%<>~^",
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

type Token = { readonly kind: "word" | "punct" | "string"; readonly text: string };

/**
 * The tokens of TypeScript source that matter for its module specifiers:
 * words, punctuators and string literals (their values). Comments, the
 * text of template literals (not their `${…}` code) and regular
 * expressions are skipped; `/` after a value is a division.
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** For each open template literal, the brace depth its current `${` started at. */
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const n = source.length;
  const previous = () => tokens.at(-1);
  /** Skips template text from i (after "`" or "}") to the closing "`" or the next "${". */
  const templateText = () => {
    while (i < n) {
      const c = source[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        templates.push(depth);
        depth++;
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (/\s/.test(c)) i++;
    else if (c === "/" && next === "/") while (i < n && source[i] !== "\n") i++;
    else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      let value = "";
      i++;
      while (i < n && source[i] !== c) {
        if (source[i] === "\\") i++;
        value += source[i];
        i++;
      }
      i++;
      tokens.push({ kind: "string", text: value });
    } else if (c === "`") {
      i++;
      templateText();
      tokens.push({ kind: "string", text: "`" });
    } else if (c === "/") {
      const before = previous();
      if (before === undefined || (before.kind !== "string" && BEFORE_REGEX.has(before.text))) {
        // A regular expression: to its closing slash (not one inside a class), then its flags.
        let inClass = false;
        i++;
        while (i < n && (source[i] !== "/" || inClass)) {
          if (source[i] === "\\") i++;
          else if (source[i] === "[") inClass = true;
          else if (source[i] === "]") inClass = false;
          i++;
        }
        i++;
        while (i < n && /\w/.test(source[i] as string)) i++;
        tokens.push({ kind: "string", text: "/regex/" });
      } else {
        i++;
        tokens.push({ kind: "punct", text: "/" });
      }
    } else if (/[\w$]/.test(c)) {
      const start = i;
      while (i < n && /[\w$]/.test(source[i] as string)) i++;
      tokens.push({ kind: "word", text: source.slice(start, i) });
    } else {
      i++;
      if (c === "{") depth++;
      else if (c === "}") {
        depth--;
        if (templates.at(-1) === depth) {
          templates.pop();
          templateText();
          continue;
        }
      }
      tokens.push({ kind: "punct", text: c });
    }
  }
  return tokens;
}

/**
 * The module specifiers of a TypeScript source, in order: `… from "x"`
 * (import and export, type-only too), `import "x"`, `import("x")` and
 * `require("x")`. In valid TypeScript a string literal right after the
 * word `from` is always a module specifier (`Array.from(`, `{ from: … }`
 * are followed by something else).
 */
function moduleSpecifiers(source: string): string[] {
  const tokens = tokenize(source);
  const found: string[] = [];
  tokens.forEach((token, k) => {
    if (token.kind !== "string") return;
    const before = tokens[k - 1];
    const beforeThat = tokens[k - 2];
    const word = (t: Token | undefined, text: string) => t?.kind === "word" && t.text === text;
    const called = before?.text === "(" && (word(beforeThat, "import") || word(beforeThat, "require"));
    const afterImport = word(before, "import") && tokens[k - 2]?.text !== ".";
    if (word(before, "from") || afterImport || called) found.push(token.text);
  });
  return found;
}

/** A source file by its path from the repository root (src/…), with its text. */
type SourceFiles = ReadonlyMap<string, string>;

/** The layer (top folder under src/) of a repository path, or undefined outside src/. */
function layerOf(path: string): string | undefined {
  const parts = path.split("/");
  return parts[0] === "src" && parts.length > 2 ? parts[1] : undefined;
}

/** Where a relative specifier of `file` lands, from the repository root; undefined for packages. */
function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return posix.normalize(posix.join(posix.dirname(file), specifier));
}

interface ParsedImport {
  readonly file: string;
  readonly specifier: string;
  /** The repository path it resolves to; undefined for a package. */
  readonly target: string | undefined;
}

/** Every module specifier of every file. */
function parseImports(files: SourceFiles): ParsedImport[] {
  return [...files].flatMap(([file, source]) =>
    moduleSpecifiers(source).map((specifier) => ({
      file,
      specifier,
      target: resolveSpecifier(file, specifier),
    })),
  );
}

/** The imports that break `rule`, as "file → specifier". */
function violations(imports: readonly ParsedImport[], rule: Rule): string[] {
  const to = new Set<string>(rule.to);
  return imports
    .filter(({ file, target }) => {
      const from = layerOf(file);
      const lands = target === undefined ? undefined : layerOf(target);
      if (from === undefined || lands === undefined || !to.has(lands)) return false;
      return rule.from === "others" ? !to.has(from) : (rule.from as readonly string[]).includes(from);
    })
    .map(({ file, specifier }) => `${file} → ${specifier}`);
}

/** Every .ts file under src/ (repository paths), with its text. */
function readSources(): Map<string, string> {
  const files = new Map<string, string>();
  const entries = readdirSync(`${ROOT}src`, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const absolute = posix.join(entry.parentPath.split("\\").join("/"), entry.name);
    files.set(posix.relative(ROOT, absolute), readFileSync(absolute, "utf8"));
  }
  return files;
}

describe("the module scanner", () => {
  it.each([
    ['import { a } from "./a.js";', ["./a.js"]],
    ['import type { A } from "../models/a.js";', ["../models/a.js"]],
    ['import x, { type B, c as d } from\n  "./multi.js";', ["./multi.js"]],
    ['import * as ns from "node:fs"; import "./side-effect.js";', ["node:fs", "./side-effect.js"]],
    [
      'export { a, type B } from "./a.js"; export * from "./b.js"; export * as c from "./c.js";',
      ["./a.js", "./b.js", "./c.js"],
    ],
    ['export { a }; const from = 1; Array.from("x"); const o = { from: "y" };', []],
    ['const m = await import("../cli/pms.js"); const r = require("./r.js");', ["../cli/pms.js", "./r.js"]],
    [
      '// import { a } from "../cli/a.js";\n/* export * from "../cli/b.js"; */ const u = import.meta.url;',
      [],
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test holds a template literal.
      'const s = `import x from "../cli/t.js" ${"a".replace(/"|from "/g, "")}`; import "./after.js";',
      ["./after.js"],
    ],
    ['const q = a / b / c; const r = /from "x"/; export { q } from "./q.js";', ["./q.js"]],
  ])("finds the specifiers of %j", (source, expected) => {
    expect(moduleSpecifiers(source)).toEqual(expected);
  });
});

describe("DESIGN.md's layer rules hold in src/", () => {
  const sources = readSources();
  const imports = parseImports(sources);

  it("reads the whole of src/ and the imports of its files", () => {
    expect(sources.size).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(sources.size);
    // Each relative specifier lands on a file that exists: its .ts source (NodeNext's ".js", or
    // AssemblyScript's bare path), generated JavaScript, or a folder's index.
    const internal = imports.filter((i) => i.target !== undefined);
    expect(internal.length).toBeGreaterThan(500);
    const exists = (t: string) =>
      [t.replace(/\.js$/, ".ts"), t, `${t}.ts`, `${t}/index.ts`].some((c) => existsSync(`${ROOT}${c}`));
    const unresolved = internal
      .filter(({ target }) => !exists(target as string))
      .map(({ file, specifier }) => `${file} → ${specifier}`);
    expect(unresolved).toEqual([]);
    for (const layer of ["cli", "bench", "virtual", "drivers", "models", "core"]) {
      expect(
        [...sources.keys()].some((file) => layerOf(file) === layer),
        `files in src/${layer}`,
      ).toBe(true);
    }
  });

  it.each(RULES)("$rule", (rule) => {
    expect(violations(imports, rule)).toEqual([]);
  });
});

describe("the checker fails where a rule is broken", () => {
  const fake: SourceFiles = new Map([
    ["src/bench/open.ts", 'import { run } from "../cli/program.js";'],
    [
      "src/drivers/bad.ts",
      'import type { Chip } from "../models/chip/index.js";\nexport * from "../virtual/bench.js";',
    ],
    ["src/models/bad.ts", 'const k = await import("../drivers/index.js");'],
    ["src/core/bad.ts", 'export { serve } from "../virtual/server.js";'],
    ["src/plans/bad.ts", 'import { serveVirtualBench } from "../virtual/index.js";'],
    ["src/record/bad.ts", 'import type { BenchSnapshot } from "../bench/open.js";'],
    ["src/proto/bad.ts", 'import type { SampleBatch } from "../sync/sample-batch.js";'],
    [
      "src/fit/bad.ts",
      'import { findDips } from "../plans/spectrum-analysis.js";\nimport { core } from "../core/wasm.js";',
    ],
    [
      "src/cli/fine.ts",
      'import { openBench } from "../bench/file.js";\nimport { vteam } from "../models/memristor/vteam.js";',
    ],
    [
      "src/models/fine.ts",
      '// import { x } from "../drivers/a.js";\nimport { core } from "../core/wasm.js";',
    ],
  ]);
  const broken: Record<string, string[]> = {
    "nothing outside src/cli imports from src/cli": ["src/bench/open.ts → ../cli/program.js"],
    "nothing in src/drivers imports from src/models": ["src/drivers/bad.ts → ../models/chip/index.js"],
    "nothing in src/models imports from src/drivers": ["src/models/bad.ts → ../drivers/index.js"],
    "nothing in src/models or src/core imports from the layers above them": [
      "src/models/bad.ts → ../drivers/index.js",
      "src/core/bad.ts → ../virtual/server.js",
    ],
    "nothing in src/drivers imports from src/virtual (STYLE.md 5)": [
      "src/drivers/bad.ts → ../virtual/bench.js",
    ],
    "nothing in src/plans or src/sync imports from src/virtual": ["src/plans/bad.ts → ../virtual/index.js"],
    "nothing in src/record imports from the instruments, the models or the layers above it": [
      "src/record/bad.ts → ../bench/open.js",
    ],
    "nothing in src/proto imports from another layer of src/": ["src/proto/bad.ts → ../sync/sample-batch.js"],
    "nothing in src/fit imports from the instruments, the benches, the plans, the runs or the CLI": [
      "src/fit/bad.ts → ../plans/spectrum-analysis.js",
    ],
  };

  it.each(RULES)("reports the made-up breach of: $rule", (rule) => {
    expect(violations(parseImports(fake), rule)).toEqual(broken[rule.rule]);
  });
});
