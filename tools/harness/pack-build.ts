/**
 * A JavaScript build of a TypeScript policy pack, for starting the pack without ts-node's type checker.
 *
 * Why: for a TypeScript pack, run-policy-pack always registers ts-node with `typeCheck: true`
 * (@pulumi/pulumi cmd/run-policy-pack/run.js), which type-checks the pack against the SDKs' declarations on every
 * start: 2.8 s to the port for this project's pack on a quiet 2-core machine (4 s and more under load), against
 * 0.7 s for the same pack in JavaScript. Compiler options cannot turn that off: ts-node's `transpileOnly` loses to
 * the explicit `typeCheck`, `noResolve` breaks ts-node, and `noCheck` plus `isolatedModules` (TS 5.6+, in the
 * tsconfig's `ts-node` section) still took 2.1 s, as ts-node builds a whole program to emit each file.
 *
 * The build is the pack folder mirrored file for file, its TypeScript transpiled by esbuild with the pack's own
 * tsconfig.json (transpile-only, as `npm run typecheck` type-checks the pack; a few milliseconds a file), and
 * package.json `main` pointed at the JavaScript. The pack is then started exactly as before: the real
 * run-policy-pack, in the build's folder, running the pack's own code. The build lives in a `.cache` folder inside
 * the node_modules the pack resolves its SDKs from, so that @pulumi/policy and every other dependency resolve to the
 * very same files as from the pack folder. It is content-addressed (a changed file makes a new build) and written
 * to a temporary folder first, so that concurrent checks never see half of one.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { transformSync, type TsconfigRaw } from "esbuild";

export const PACK_BUILD_CACHE = path.join(".cache", "observability-policy-pack");
/** Builds older than this, of the same pack, are removed when a new one is made. */
const STALE_BUILD_MS = 60 * 60 * 1000;

/** The pack cannot be built as a copy (it imports files outside its folder); start it as it is instead. */
export class PackBuildUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PackBuildUnsupported";
  }
}

/** Every file of the pack, relative to its folder, without installed packages, hidden folders and tsconfig files. */
function packFiles(packDir: string, relative = ""): string[] {
  return fs.readdirSync(path.join(packDir, relative), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(relative, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : packFiles(packDir, file);
    }
    // run-policy-pack reads tsconfig.json only to configure ts-node, which a JavaScript pack never uses.
    return entry.isFile() && !/^tsconfig.*\.json$/.test(entry.name) ? [file] : [];
  });
}

function isTypeScript(file: string): boolean {
  return file.endsWith(".ts") && !file.endsWith(".d.ts");
}

/** The node_modules folder the pack's @pulumi/policy comes from. */
function dependencyRoot(packDir: string): string {
  let resolved: string;
  try {
    resolved = require.resolve("@pulumi/policy/package.json", { paths: [packDir] });
  } catch {
    throw new PackBuildUnsupported(`@pulumi/policy does not resolve from ${packDir}`);
  }
  const parts = resolved.split(path.sep);
  return parts.slice(0, parts.lastIndexOf("node_modules") + 1).join(path.sep);
}

/** Relative `require`s of the transpiled code that leave the pack folder. */
function importsOutside(packDir: string, file: string, javascript: string): string[] {
  const outside: string[] = [];
  for (const match of javascript.matchAll(/\brequire\(\s*["'](\.{1,2}(?:\/[^"']*)?)["']\s*\)/g)) {
    const target = path.resolve(path.dirname(path.join(packDir, file)), match[1]);
    if (path.relative(packDir, target).startsWith("..")) outside.push(match[1]);
  }
  return outside;
}

function packageJsonFor(content: string): string {
  const manifest = JSON.parse(content) as { main?: unknown };
  const main = typeof manifest.main === "string" ? manifest.main : undefined;
  if (main && isTypeScript(main)) manifest.main = `${main.slice(0, -3)}.js`;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function removeStaleBuilds(cacheRoot: string, prefix: string, keep: string): void {
  for (const entry of fs.readdirSync(cacheRoot)) {
    const dir = path.join(cacheRoot, entry);
    if (entry === keep || !entry.startsWith(prefix)) continue;
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > STALE_BUILD_MS) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another check removed it first.
    }
  }
}

/** A tsconfig.json's content; the TypeScript compiler (slow to load) only for one with comments or trailing commas. */
function readTsconfig(file: string): { extends?: unknown; compilerOptions?: Record<string, unknown> } {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    const ts = require("typescript") as typeof import("typescript");
    const read = ts.parseConfigFileTextToJson(file, text);
    if (read.error) throw new PackBuildUnsupported(`${file} does not parse`);
    return read.config;
  }
}

/**
 * TypeScript to CommonJS with the options of the pack's tsconfig.json, as run-policy-pack passes them to ts-node
 * (its `module` must be CommonJS: run-policy-pack requires the pack).
 */
function transpilerFor(tsconfigPath: string): (file: string) => string {
  const config = readTsconfig(tsconfigPath);
  if (config.extends !== undefined) throw new PackBuildUnsupported(`${tsconfigPath} extends another tsconfig`);
  const options = config.compilerOptions ?? {};
  const module = String(options.module ?? "commonjs").toLowerCase();
  if (module !== "commonjs") throw new PackBuildUnsupported(`${tsconfigPath} sets module ${module}, not commonjs`);
  const target = String(options.target ?? "es2022").toLowerCase();
  return (file) =>
    transformSync(fs.readFileSync(file, "utf8"), {
      loader: "ts",
      format: "cjs",
      target,
      sourcefile: file,
      tsconfigRaw: { compilerOptions: options } as TsconfigRaw,
    }).code;
}

/**
 * Returns the folder of the pack's JavaScript build, making it if this version of the pack has none yet. A pack
 * with no TypeScript is returned as it is. Throws PackBuildUnsupported when a copy would not behave as the pack.
 */
export function buildJavaScriptPack(packDir: string): string {
  const dir = path.resolve(packDir);
  const files = packFiles(dir);
  if (!files.some(isTypeScript)) return dir;
  if (!fs.existsSync(path.join(dir, "tsconfig.json"))) {
    // run-policy-pack then gives ts-node its own defaults rather than the nearest tsconfig.json above the pack.
    throw new PackBuildUnsupported(`${dir} has no tsconfig.json of its own`);
  }
  const transpile = transpilerFor(path.join(dir, "tsconfig.json"));
  const outputs = new Map<string, string | Buffer>();
  for (const file of files) {
    if (isTypeScript(file)) {
      const javascript = transpile(path.join(dir, file));
      const outside = importsOutside(dir, file, javascript);
      if (outside.length > 0) {
        throw new PackBuildUnsupported(
          `${path.join(dir, file)} imports ${outside.join(", ")}, outside the pack folder`,
        );
      }
      outputs.set(`${file.slice(0, -3)}.js`, javascript);
    } else if (file === "package.json") {
      outputs.set(file, packageJsonFor(fs.readFileSync(path.join(dir, file), "utf8")));
    } else {
      outputs.set(file, fs.readFileSync(path.join(dir, file)));
    }
  }
  const hash = crypto.createHash("sha256").update(dir);
  for (const [file, content] of [...outputs].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update("\0").update(file).update("\0").update(content);
  }
  const cacheRoot = path.join(dependencyRoot(dir), PACK_BUILD_CACHE);
  const prefix = `${path.basename(dir)}-${crypto.createHash("sha256").update(dir).digest("hex").slice(0, 8)}-`;
  const name = `${prefix}${hash.digest("hex").slice(0, 16)}`;
  const build = path.join(cacheRoot, name);
  if (fs.existsSync(build)) return build;

  const temporary = path.join(cacheRoot, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  for (const [file, content] of outputs) {
    fs.mkdirSync(path.dirname(path.join(temporary, file)), { recursive: true });
    fs.writeFileSync(path.join(temporary, file), content);
  }
  try {
    fs.renameSync(temporary, build);
  } catch (err) {
    // A concurrent check made the same build first: theirs is identical.
    fs.rmSync(temporary, { recursive: true, force: true });
    if (!fs.existsSync(build)) throw err;
  }
  removeStaleBuilds(cacheRoot, prefix, name);
  return build;
}
