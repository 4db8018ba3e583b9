/**
 * Command header patterns as the manuals write them, and matching typed
 * headers against them (SCPI-99 Vol. 1 §6.2, §5.1 "Interpreting command
 * tables").
 *
 * Pattern syntax:
 * - `SOURce`: long form; the leading upper-case letters are the short form
 *   (`SOUR`). Either is accepted, in any case; nothing in between.
 * - `[:LEVel]`: an optional node, which may be left out.
 * - `SENSe[1]`: an optional numeric suffix that may only be 1.
 * - `SOURce2`: a required suffix (the 2400's digital-output `:SOURce2`).
 * - `WINDow#`: any suffix 1…99, 1 when left out; handed to the handler.
 * - `*IDN`: an IEEE 488.2 common command.
 */
import type { TypedMnemonic } from "./lexer.js";

type SuffixRule =
  | { readonly kind: "none" }
  | { readonly kind: "fixed"; readonly value: number; readonly optional: boolean }
  | { readonly kind: "captured" };

interface HeaderNode {
  readonly long: string;
  readonly short: string;
  readonly optional: boolean;
  readonly suffix: SuffixRule;
}

export interface HeaderPattern {
  readonly text: string;
  readonly common: boolean;
  readonly nodes: readonly HeaderNode[];
}

/** Highest numeric suffix a `#` node accepts (SCPI-99 §6.2.5 leaves it to the instrument). */
const MAX_CAPTURED_SUFFIX = 99;

const NODE = /(\[)?:?([A-Za-z*]+)(?:\[(\d+)\]|(\d+)|(#))?(\])?/y;

export function compilePattern(text: string): HeaderPattern {
  if (text.startsWith("*")) {
    const name = text.slice(1).toUpperCase();
    return {
      text,
      common: true,
      nodes: [{ long: name, short: name, optional: false, suffix: { kind: "none" } }],
    };
  }
  const nodes: HeaderNode[] = [];
  NODE.lastIndex = 0;
  while (NODE.lastIndex < text.length) {
    const start = NODE.lastIndex;
    const match = NODE.exec(text);
    if (!match || match[0].length === 0 || Boolean(match[1]) !== Boolean(match[6])) {
      throw new SyntaxError(`bad SCPI header pattern ${JSON.stringify(text)} at ${start}`);
    }
    const long = match[2] ?? "";
    const suffix: SuffixRule = match[3]
      ? { kind: "fixed", value: Number(match[3]), optional: true }
      : match[4]
        ? { kind: "fixed", value: Number(match[4]), optional: false }
        : match[5]
          ? { kind: "captured" }
          : { kind: "none" };
    nodes.push({ long: long.toUpperCase(), short: shortForm(long), optional: Boolean(match[1]), suffix });
  }
  return { text, common: false, nodes };
}

/** The short form is the leading run of upper-case letters (SCPI-99 Vol. 1 §6.2.1). */
function shortForm(long: string): string {
  return /^[A-Z]+/.exec(long)?.[0] ?? long.toUpperCase();
}

export type MatchResult =
  | { readonly kind: "match"; readonly suffixes: readonly number[] }
  /** Every mnemonic matched a node but some numeric suffix was not allowed there (-114). */
  | { readonly kind: "bad-suffix" }
  | { readonly kind: "none" };

/** Matches a full typed header (current path already prepended) against a pattern. */
export function matchHeader(pattern: HeaderPattern, typed: readonly TypedMnemonic[]): MatchResult {
  const suffixes: number[] = [];
  if (walk(pattern.nodes, 0, typed, 0, suffixes, true)) return { kind: "match", suffixes };
  return walk(pattern.nodes, 0, typed, 0, [], false) ? { kind: "bad-suffix" } : { kind: "none" };
}

function walk(
  nodes: readonly HeaderNode[],
  i: number,
  typed: readonly TypedMnemonic[],
  j: number,
  suffixes: number[],
  checkSuffix: boolean,
): boolean {
  const node = nodes[i];
  if (node === undefined) return j === typed.length;
  const word = typed[j];
  if (word !== undefined && (word.name === node.short || word.name === node.long)) {
    const suffix = checkSuffix ? acceptSuffix(node.suffix, word.suffix) : 0;
    if (suffix !== undefined) {
      const depth = suffixes.length;
      if (node.suffix.kind === "captured") suffixes.push(suffix);
      if (walk(nodes, i + 1, typed, j + 1, suffixes, checkSuffix)) return true;
      suffixes.length = depth;
    }
  }
  if (node.optional) {
    const depth = suffixes.length;
    if (node.suffix.kind === "captured") suffixes.push(1);
    if (walk(nodes, i + 1, typed, j, suffixes, checkSuffix)) return true;
    suffixes.length = depth;
  }
  return false;
}

/** The suffix value the node takes for what was typed, or undefined when not allowed. */
function acceptSuffix(rule: SuffixRule, typed: number | undefined): number | undefined {
  switch (rule.kind) {
    case "none":
      return typed === undefined ? 0 : undefined;
    case "fixed":
      if (typed === undefined) return rule.optional ? rule.value : undefined;
      return typed === rule.value ? typed : undefined;
    case "captured":
      if (typed === undefined) return 1;
      return typed >= 1 && typed <= MAX_CAPTURED_SUFFIX ? typed : undefined;
  }
}
