// Runs a TypeScript entry point (the check, the bench's floor) without ts-node, in JavaScript because it installs the
// TypeScript loader itself.
//
// Why not `node -r ts-node/register/transpile-only entry.ts`: ts-node transpiles every TypeScript file of the check
// and the harness again on every run (about 1.2 s of CPU, measured with --cpu-prof). This loader uses the harness's
// content-addressed transpile cache (ts-transpile-cache.ts, the one the program's processes use). The cache module
// itself is TypeScript too: its JavaScript is kept beside the cache, keyed by its source and the compiler's version,
// so that a run with a warm cache never loads the compiler (~0.2 s).
// Transpile-only, like ts-node's mode; `npm run typecheck` does the type checking.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");

function transpiledCacheModule(file) {
  const source = fs.readFileSync(file, "utf8");
  const typescriptVersion = require("typescript/package.json").version;
  const key = crypto.createHash("sha256").update(`${typescriptVersion}\0${file}\0${source}`).digest("hex").slice(0, 32);
  // The same folder as the cache itself (transpileCacheDir in ts-transpile-cache.ts).
  const cached = path.join(
    os.tmpdir(),
    `pulumi-harness-ts-${process.getuid ? process.getuid() : "user"}`,
    `loader-${key}.js`,
  );
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    const ts = require("typescript");
    const output = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
    return output;
  }
}

function loadTranspileCache() {
  const file = path.join(__dirname, "ts-transpile-cache.ts");
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  loaded._compile(transpiledCacheModule(file), file);
  return loaded.exports;
}

/** Requires a TypeScript entry point (and everything it imports) through the transpile cache. */
function requireTypeScript(entry) {
  const cache = loadTranspileCache();
  require(cache.writeBootstrap(cache.transpileSettingsFor(entry)));
  return require(entry);
}

/** Runs `main(argv)` of a TypeScript entry point; its resolved number becomes the exit code, a throw exits 3. */
function runTypeScriptMain(entry, label) {
  requireTypeScript(entry)
    .main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        process.stderr.write(`${label}: ${err && err.stack ? err.stack : String(err)}\n`);
        process.exitCode = 3;
      },
    );
}

module.exports = { runTypeScriptMain };
