/**
 * TypeScript for the program's child processes and the check itself, without paying for the compiler every time.
 *
 * Why: `ts-node/register/transpile-only` loads the TypeScript compiler (~0.2 s) and transpiles every file again in
 * every process. Here each file's JavaScript is kept in a content-addressed disk cache (keyed by compiler version,
 * options, path and source), and a process's require hook only reads it; the compiler is loaded for a file the
 * cache does not hold. Two more things are kept so that a run with a warm cache never loads the compiler at all:
 * the compiler options parsed from each tsconfig.json (keyed by its path and content), and each entry's import
 * graph (reused while every file in it is still cached as it is). A caller starting several processes at once
 * prewarms the graph first so that they do not each transpile the same files.
 * Transpile-only, like ts-node's mode, as type checking is `tsc --noEmit`'s job. Output carries inline source maps
 * for whoever debugs with NODE_OPTIONS=--enable-source-maps; the harness does not turn that on, because the SDK
 * captures a stack trace for every resource and mapping them made an evaluation three times slower.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as ts from "typescript";

export interface TranspileSettings {
  cacheDir: string;
  typescriptPath: string;
  typescriptVersion: string;
  /** Parsed (enum-valued) compiler options, ready for `ts.transpileModule`. */
  compilerOptions: Record<string, unknown>;
}

export interface Transpiler {
  /** A .ts file's JavaScript, from the cache or freshly transpiled into it. */
  transpile(filename: string): string;
  /** Whether the file's current content is already in the cache. */
  isCached(filename: string): boolean;
}

/**
 * The cached transpiler. Self-contained (it requires what it uses) because its source text is also shipped to the
 * child as its require hook. The compiler is loaded only for a file the cache does not hold.
 */
export function createTranspiler(settings: TranspileSettings): Transpiler {
  const fsModule = require("fs") as typeof import("fs");
  const pathModule = require("path") as typeof import("path");
  const cryptoModule = require("crypto") as typeof import("crypto");
  const optionsKey = `${settings.typescriptVersion}\0${JSON.stringify(settings.compilerOptions)}`;
  let compiler: typeof import("typescript") | undefined;
  const cachedPath = (filename: string, source: string): string => {
    const key = cryptoModule
      .createHash("sha256")
      .update(optionsKey)
      .update("\0")
      .update(filename)
      .update("\0")
      .update(source)
      .digest("hex");
    return pathModule.join(settings.cacheDir, `${key}.js`);
  };
  return {
    isCached: (filename) => fsModule.existsSync(cachedPath(filename, fsModule.readFileSync(filename, "utf8"))),
    transpile: (filename) => {
      const source = fsModule.readFileSync(filename, "utf8");
      const cached = cachedPath(filename, source);
      try {
        return fsModule.readFileSync(cached, "utf8");
      } catch {
        compiler ??= require(settings.typescriptPath) as typeof import("typescript");
        const output = compiler.transpileModule(source, {
          fileName: filename,
          compilerOptions: settings.compilerOptions as ts.CompilerOptions,
        }).outputText;
        // Write-then-rename so that a concurrent child never reads half a file.
        fsModule.mkdirSync(settings.cacheDir, { recursive: true });
        const temporary = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        fsModule.writeFileSync(temporary, output);
        fsModule.renameSync(temporary, cached);
        return output;
      }
    },
  };
}

/** Where the cache lives: one folder per user, shared by every checkout (entries are content-addressed). */
export function transpileCacheDir(): string {
  return path.join(os.tmpdir(), `pulumi-harness-ts-${process.getuid?.() ?? "user"}`);
}

/** The tsconfig.json ts-node would use for a file: the nearest one in its folder or above (ts.findConfigFile). */
function nearestTsconfig(fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "tsconfig.json");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function sha256(...parts: string[]): string {
  const hash = crypto.createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex");
}

/** Writes a file so that a concurrent reader sees either nothing or all of it. */
function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/**
 * Compiler options from the tsconfig.json nearest the program (as ts-node finds it), adjusted for require().
 * Parsing a tsconfig needs the compiler (~0.2 s to load), so the result is cached, keyed by the tsconfig's path and
 * content and the compiler's version; a tsconfig that `extends` another is parsed every time.
 */
export function transpileSettingsFor(programPath: string): TranspileSettings {
  const fromProgram = path.dirname(programPath);
  const typescriptPath = require.resolve("typescript", { paths: [fromProgram] });
  const typescriptVersion = (
    JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [fromProgram] }), "utf8")) as {
      version: string;
    }
  ).version;
  const cacheDir = transpileCacheDir();
  const configPath = nearestTsconfig(fromProgram);
  const configText = configPath ? fs.readFileSync(configPath, "utf8") : "";
  const settingsFile = path.join(
    cacheDir,
    `settings-${sha256(typescriptPath, typescriptVersion, configPath ?? "", configText)}.json`,
  );
  try {
    return JSON.parse(fs.readFileSync(settingsFile, "utf8")) as TranspileSettings;
  } catch {
    // Not cached yet (or unreadable): parse below.
  }
  const compiler = require(typescriptPath) as typeof import("typescript");
  let options: ts.CompilerOptions = {
    // The Node language host's defaults without a tsconfig (@pulumi/pulumi cmd/run/run.js), CommonJS flavoured.
    target: compiler.ScriptTarget.ES2020,
    esModuleInterop: true,
  };
  let extendsAnother = false;
  if (configPath) {
    const read = compiler.readConfigFile(configPath, compiler.sys.readFile);
    if (read.error) {
      throw new Error(
        `could not read ${configPath}: ${compiler.flattenDiagnosticMessageText(read.error.messageText, "\n")}`,
      );
    }
    extendsAnother = (read.config as { extends?: unknown }).extends !== undefined;
    options = compiler.parseJsonConfigFileContent(read.config, compiler.sys, path.dirname(configPath)).options;
  }
  const compilerOptions: ts.CompilerOptions = {
    ...options,
    // The child loads modules with require(), so CommonJS whatever the tsconfig says for its build.
    module: compiler.ModuleKind.CommonJS,
    inlineSourceMap: true,
    inlineSources: true,
    sourceMap: false,
    declaration: false,
    declarationMap: false,
    noEmit: false,
    emitDeclarationOnly: false,
    composite: false,
    incremental: false,
  };
  const settings: TranspileSettings = {
    cacheDir,
    typescriptPath,
    typescriptVersion,
    compilerOptions: JSON.parse(JSON.stringify(compilerOptions)) as Record<string, unknown>,
  };
  if (!extendsAnother) {
    writeAtomically(settingsFile, JSON.stringify(settings));
  }
  return settings;
}

/** Relative imports of a file, resolved to .ts files the way Node + ts resolve them. */
function localImports(compiler: typeof import("typescript"), file: string): string[] {
  const info = compiler.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  const found: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith(".")) {
      continue;
    }
    const base = path.resolve(path.dirname(file), fileName);
    const candidates = [
      base.endsWith(".js") ? `${base.slice(0, -3)}.ts` : `${base}.ts`,
      path.join(base, "index.ts"),
      base,
    ];
    const match = candidates.find(
      (candidate) => candidate.endsWith(".ts") && !candidate.endsWith(".d.ts") && fs.existsSync(candidate),
    );
    if (match) {
      found.push(match);
    }
  }
  return found;
}

/**
 * Transpiles every .ts file reachable through relative imports from the entries into the cache; returns how many
 * files the graph holds. Finding imports needs the compiler, so the graph found last time is kept: when every file
 * in it is still cached as it is now (no file changed, so no import changed), nothing else is done.
 */
export function prewarmTranspileCache(entries: string[], settings: TranspileSettings): number {
  const transpiler = createTranspiler(settings);
  const tsEntries = entries.filter((file) => file.endsWith(".ts"));
  const graphFile = path.join(settings.cacheDir, `graph-${sha256(JSON.stringify(settings), ...tsEntries)}.json`);
  try {
    const known = JSON.parse(fs.readFileSync(graphFile, "utf8")) as string[];
    if (known.every((file) => transpiler.isCached(file))) {
      return known.length;
    }
  } catch {
    // No graph yet, or a file in it is gone: walk the imports.
  }
  const compiler = require(settings.typescriptPath) as typeof import("typescript");
  const seen = new Set<string>();
  const queue = [...tsEntries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file) || file.split(path.sep).includes("node_modules")) {
      continue;
    }
    seen.add(file);
    transpiler.transpile(file);
    queue.push(...localImports(compiler, file));
  }
  writeAtomically(graphFile, JSON.stringify([...seen]));
  return seen.size;
}

/**
 * Writes the child's bootstrap: a script that installs the cached transpiler as the `.ts` require hook. It is
 * generated because it must be plain JavaScript (it runs before any TypeScript can load); its body is
 * `createTranspiler` itself, so the two cannot drift apart.
 */
export function writeBootstrap(settings: TranspileSettings): string {
  const source =
    "// Generated by tools/harness/ts-transpile-cache.ts: installs the cached TypeScript require hook.\n" +
    `const { transpile } = (${createTranspiler.toString()})(${JSON.stringify(settings)});\n` +
    'require.extensions[".ts"] = (module, filename) => module._compile(transpile(filename), filename);\n';
  const file = path.join(
    settings.cacheDir,
    `bootstrap-${crypto.createHash("sha256").update(source).digest("hex").slice(0, 16)}.js`,
  );
  if (!fs.existsSync(file)) {
    writeAtomically(file, source);
  }
  return file;
}
