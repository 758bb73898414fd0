/**
 * TypeScript for the program's child process, without paying for the compiler in every child.
 *
 * Why: each stack is evaluated in a fresh process, and `ts-node/register/transpile-only` loads the TypeScript
 * compiler (~150 ms) and transpiles every file again in each one; for `check --all` that is repeated per stack. Here
 * the parent transpiles the program's import graph once into a content-addressed disk cache, and the child's
 * require hook only reads the cache (it loads the compiler lazily, for a file the parent did not see).
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

/**
 * Returns a function giving a .ts file's JavaScript, from the cache or freshly transpiled into it. Self-contained
 * (it requires what it uses) because its source text is also shipped to the child as its require hook.
 */
export function createTranspiler(settings: TranspileSettings): (filename: string) => string {
  const fsModule = require("fs") as typeof import("fs");
  const pathModule = require("path") as typeof import("path");
  const cryptoModule = require("crypto") as typeof import("crypto");
  const optionsKey = `${settings.typescriptVersion}\0${JSON.stringify(settings.compilerOptions)}`;
  let compiler: typeof import("typescript") | undefined;
  return (filename: string): string => {
    const source = fsModule.readFileSync(filename, "utf8");
    const key = cryptoModule.createHash("sha256").update(optionsKey).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = pathModule.join(settings.cacheDir, `${key}.js`);
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
  };
}

/** Compiler options from the tsconfig.json nearest the program (as ts-node finds it), adjusted for require(). */
export function transpileSettingsFor(programPath: string): TranspileSettings {
  const fromProgram = path.dirname(programPath);
  const typescriptPath = require.resolve("typescript", { paths: [fromProgram] });
  const compiler = require(typescriptPath) as typeof import("typescript");
  const configPath = compiler.findConfigFile(fromProgram, compiler.sys.fileExists);
  let options: ts.CompilerOptions = {
    // The Node language host's defaults without a tsconfig (@pulumi/pulumi cmd/run/run.js), CommonJS flavoured.
    target: compiler.ScriptTarget.ES2020,
    esModuleInterop: true,
  };
  if (configPath) {
    const read = compiler.readConfigFile(configPath, compiler.sys.readFile);
    if (read.error) {
      throw new Error(`could not read ${configPath}: ${compiler.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
    }
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
  return {
    cacheDir: path.join(os.tmpdir(), `pulumi-harness-ts-${process.getuid?.() ?? "user"}`),
    typescriptPath,
    typescriptVersion: compiler.version,
    compilerOptions: JSON.parse(JSON.stringify(compilerOptions)) as Record<string, unknown>,
  };
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
    const candidates = [base.endsWith(".js") ? `${base.slice(0, -3)}.ts` : `${base}.ts`, path.join(base, "index.ts"), base];
    const match = candidates.find((candidate) => candidate.endsWith(".ts") && !candidate.endsWith(".d.ts") && fs.existsSync(candidate));
    if (match) {
      found.push(match);
    }
  }
  return found;
}

/** Transpiles every .ts file reachable through relative imports from the entries into the cache. */
export function prewarmTranspileCache(entries: string[], settings: TranspileSettings): number {
  const compiler = require(settings.typescriptPath) as typeof import("typescript");
  const transpile = createTranspiler(settings);
  const seen = new Set<string>();
  const queue = entries.filter((file) => file.endsWith(".ts"));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file) || file.split(path.sep).includes("node_modules")) {
      continue;
    }
    seen.add(file);
    transpile(file);
    queue.push(...localImports(compiler, file));
  }
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
    `const transpile = (${createTranspiler.toString()})(${JSON.stringify(settings)});\n` +
    'require.extensions[".ts"] = (module, filename) => module._compile(transpile(filename), filename);\n';
  const file = path.join(settings.cacheDir, `bootstrap-${crypto.createHash("sha256").update(source).digest("hex").slice(0, 16)}.js`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(settings.cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, source);
    fs.renameSync(temporary, file);
  }
  return file;
}
