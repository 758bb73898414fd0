#!/usr/bin/env node
// Entry point of `npm run check`, in JavaScript because it installs the TypeScript loader itself.
//
// Why not `node -r ts-node/register/transpile-only tools/check/cli.ts`: ts-node transpiles every TypeScript file
// of the check and the harness again on every run (about 1.2 s of CPU, measured with --cpu-prof). This loader uses
// the harness's content-addressed transpile cache (tools/harness/ts-transpile-cache.ts, the one the program's
// processes use): only the cache module itself is transpiled here, every other file is read from the cache after
// the first run. Transpile-only, like ts-node's mode; `npm run typecheck` does the type checking.
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

function loadTranspileCache() {
  const file = path.join(__dirname, "..", "harness", "ts-transpile-cache.ts");
  const ts = require("typescript");
  const output = ts.transpileModule(fs.readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  loaded._compile(output, file);
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
