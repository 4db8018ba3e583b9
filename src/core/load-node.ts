/**
 * Loads build/core.wasm from disk in Node. The package root is found by
 * walking up from this file to the package.json named
 * "photon-memristor-sim", so the same code works from src/ (vitest) and from
 * dist/src/ (after tsc).
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Core, instantiateCore } from "./wasm.js";

const PACKAGE_NAME = "photon-memristor-sim";

/** Directory of the package.json named photon-memristor-sim above `from` (a file URL or path). */
export function findPackageRoot(from: string = import.meta.url): string {
  let dir = dirname(from.startsWith("file:") ? fileURLToPath(from) : from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "${PACKAGE_NAME}" above ${from}`);
    dir = parent;
  }
}

function readName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

/** Path of the compiled core: <package root>/build/core.wasm. */
export function coreWasmPath(): string {
  return join(findPackageRoot(), "build", "core.wasm");
}

/** Compiled modules by path: each file is read and compiled once per process. */
const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * A fresh instance of the core (its own memory, so views from one never
 * alias another's), from build/core.wasm unless another path is given.
 */
export async function loadCore(path: string = coreWasmPath()): Promise<Core> {
  let module = compiled.get(path);
  if (!module) {
    module = compileFromDisk(path);
    compiled.set(path, module);
    // A failed read is not cached: the file may be built later in the same process.
    module.catch(() => compiled.delete(path));
  }
  return instantiateCore(await module);
}

async function compileFromDisk(path: string): Promise<WebAssembly.Module> {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`npm run build:wasm\` to build the WASM core`);
  }
  return WebAssembly.compile(await readFile(path));
}
