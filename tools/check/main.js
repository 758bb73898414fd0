#!/usr/bin/env node
// Entry point of `npm run check`, in JavaScript because it installs the TypeScript loader itself.
//
// Why not `node -r ts-node/register/transpile-only tools/check/cli.ts`: ts-node transpiles every TypeScript file
// of the check and the harness again on every run (about 1.2 s of CPU, measured with --cpu-prof). This loader uses
// the harness's content-addressed transpile cache (tools/harness/ts-transpile-cache.ts, the one the program's
// processes use). The cache module itself is TypeScript too: its JavaScript is kept beside the cache, keyed by its
// source and the compiler's version, so that a run with a warm cache never loads the compiler (~0.2 s).
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
  const cached = path.join(os.tmpdir(), `pulumi-harness-ts-${process.getuid ? process.getuid() : "user"}`, `loader-${key}.js`);
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
  const file = path.join(__dirname, "..", "harness", "ts-transpile-cache.ts");
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  loaded._compile(transpiledCacheModule(file), file);
  return loaded.exports;
}

const cli = path.join(__dirname, "cli.ts");
const cache = loadTranspileCache();
require(cache.writeBootstrap(cache.transpileSettingsFor(cli)));
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`check: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exitCode = 3;
    },
  );
