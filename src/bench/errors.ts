/**
 * The one error of a bench file (STYLE.md 10: errors are types, and say
 * where). It carries every mistake found, not only the first, so that a
 * person fixes the file in one pass; each line reads
 * `<file>:<line>:<column>: <field path>: <what is wrong>; expected <what>`,
 * the form compilers use and editors and terminals turn into links.
 */

export interface BenchFileIssue {
  /** Field path, e.g. "instruments.smu1.limits.maxAbsVoltage"; "" for the file as a whole (a syntax error, an unreadable file). */
  readonly path: string;
  /** 1-based; absent for an object (no text) and where no position is known. */
  readonly line?: number;
  /** 1-based, in characters of the line. */
  readonly column?: number;
  /** What is wrong, then "; expected " and what would be right. */
  readonly message: string;
}

export class BenchFileError extends Error {
  constructor(
    /** The file's path; undefined when the bench was given as an object. */
    readonly file: string | undefined,
    readonly issues: readonly BenchFileIssue[],
    options: { cause?: unknown; where?: string } = {},
  ) {
    const where = file ?? options.where ?? "bench";
    const lines = issues.map((issue) => formatBenchFileIssue(where, issue));
    super(
      lines.length === 1 ? (lines[0] ?? "") : [`${where}: ${lines.length} problems`, ...lines].join("\n"),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "BenchFileError";
  }
}

/** One issue as `<where>[:<line>:<column>]: [<field path>: ]<message>`. */
function formatBenchFileIssue(where: string, issue: BenchFileIssue): string {
  const position = issue.line === undefined ? "" : `:${issue.line}:${issue.column ?? 1}`;
  return `${where}${position}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}
