// Loads TypeScript for the tests, the check and the program's processes: esbuild-register's require hook, on .ts
// files only, transpile-only as the language host's ts-node is (type checking is `npm run typecheck`'s job), with
// the nearest tsconfig.json's options.
//
// Why esbuild-register: it hooks only the extensions it is given, so the thousands of SDK modules load untouched
// (node_modules are skipped): loading @pulumi/aws and @pulumi/kubernetes took 2.3 s with it against 2.0 s bare and
// 4.0 s with tsx, whose own module resolver runs for every require (measured on a busy 2-core machine). esbuild
// transpiles a file in about a millisecond, so no cache is kept.
// `dynamic-import: false`: import() becomes require(), as TypeScript emits it for `module: commonjs` (the check loads
// some of its modules lazily this way).
"use strict";
require("esbuild-register/dist/node").register({ extensions: [".ts"], supported: { "dynamic-import": false } });
