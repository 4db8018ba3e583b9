/**
 * A bench file's text → its value, and a map from a field path back to the
 * line and column where the field is written.
 *
 * Both formats go through the `yaml` package (eemeli/yaml), whose nodes
 * keep their offsets in the text and whose `LineCounter` turns an offset
 * into a line and column. JSON is YAML 1.2 flow syntax, so the same parse
 * gives JSON's positions exactly (offsets into the same text); parsed with
 * the JSON schema it also flags unquoted words (`tru`, `{a: 1}`) at their
 * place. What YAML accepts and JSON does not (trailing commas, comments,
 * single quotes) is caught by `JSON.parse`, which also gives a JSON file its
 * value, so a `.json` file means exactly what JSON says. `JSON.parse` alone
 * would not do: it keeps the last of two equal keys without a word (a
 * second `smu1:` silently replacing the first), which YAML reports.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from "yaml";
import type { BenchFileIssue } from "./errors.js";

export type BenchFileFormat = "json" | "yaml";

export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** Where a field is written: its key, or its value (the nearest enclosing map when it is missing). */
export type Locate = (path: readonly PropertyKey[], at: "key" | "value") => TextPosition | undefined;

export type ParsedBenchText =
  | { readonly ok: true; readonly value: unknown; readonly locate: Locate }
  | { readonly ok: false; readonly issues: readonly BenchFileIssue[] };

/** What a syntax error's line would need instead, by the `yaml` package's error code. */
const SYNTAX_EXPECTED: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: "each key once in its map",
  MULTIPLE_DOCS: "one document per bench file",
  TAG_RESOLVE_FAILED: "plain values: text, numbers, true/false (no YAML tags)",
};

export function parseBenchSource(text: string, format: BenchFileFormat): ParsedBenchText {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    ...(format === "json" ? { schema: "json" } : {}),
  });
  const position = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const label = format === "json" ? "JSON" : "YAML";
  const syntaxIssue = (error: YAMLError): BenchFileIssue => {
    const expected =
      format === "json" && error.code === "TAG_RESOLVE_FAILED"
        ? 'a JSON value: "text", a number, true, false, null, a {map} or a [list]'
        : (SYNTAX_EXPECTED[error.code] ?? `valid ${label}`);
    return {
      path: "",
      ...position(error.pos[0]),
      message: `${label} syntax error: ${error.message}; expected ${expected}`,
    };
  };
  // Warnings are unresolved tags and the like: the value would not be what the file seems to say.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) return { ok: false, issues: problems.map(syntaxIssue) };

  let value: unknown;
  try {
    value = format === "json" ? JSON.parse(text) : document.toJS();
  } catch (error) {
    return { ok: false, issues: [notParsed(error, label, text, position)] };
  }
  const locate: Locate = (path, at) => {
    const found = find(document.contents, path, at);
    return found?.range ? position(found.range[0]) : undefined;
  };
  return { ok: true, value, locate };
}

/**
 * What `JSON.parse` (or YAML's alias expansion) refused, where it says so.
 * V8 gives "at position N" for most JSON errors but not for an unexpected
 * character (a `#` comment, a single quote), so that one is found by
 * scanning for the first character outside strings that JSON has no use for.
 */
function notParsed(
  error: unknown,
  label: string,
  text: string,
  position: (offset: number) => TextPosition,
): BenchFileIssue {
  const message = error instanceof Error ? error.message : String(error);
  const stated = /\bat position (\d+)/.exec(message);
  const offset = stated ? Number(stated[1]) : label === "JSON" ? firstStrayCharacter(text) : undefined;
  const what = message
    .replace(/ at position \d+.*$/s, "")
    .replace(/ in JSON$/, "")
    .replace(/, .*is not valid JSON$/s, "");
  return {
    path: "",
    ...(offset === undefined ? {} : position(offset)),
    message: `${label} syntax error: ${what}; expected valid ${label}${label === "JSON" ? " (no comments, no trailing commas, strings in double quotes)" : ""}`,
  };
}

function firstStrayCharacter(text: string): number | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (!/[\s{}[\]:,0-9+\-.eEtrufalsn]/.test(c)) return i;
  }
  return undefined;
}

/**
 * The node at `path`. Where the rest of the path is missing, the key that
 * owns the map it would be in (`smu1:` for a missing `instruments.smu1.resource`),
 * or the top map.
 */
function find(node: unknown, path: readonly PropertyKey[], at: "key" | "value"): Node | undefined {
  let current = (node ?? undefined) as Node | undefined;
  let owner: Node | undefined;
  for (const [index, key] of path.entries()) {
    if (isMap(current)) {
      const pair = current.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) return owner ?? current;
      owner = pair.key as Node;
      if (index === path.length - 1 && at === "key") return owner;
      // `key:` with nothing after it may have no value node: point at the key.
      if (!pair.value) return owner;
      current = pair.value as Node;
    } else if (isSeq(current) && typeof key === "number" && current.items[key]) {
      current = current.items[key] as Node;
    } else {
      return current;
    }
  }
  return current;
}
