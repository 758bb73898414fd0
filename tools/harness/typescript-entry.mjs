// Runs a TypeScript entry point (the check, the bench's floor) through tsx (esbuild, transpile-only as ts-node's mode,
// with tsx's own disk cache), which starts far sooner than ts-node; `npm run typecheck` does the type checking.
// An ES module because tsx's import() hooks register from one (its CommonJS build of tsx/esm/api does not load in
// tsx 4.23); both hooks, as tsx leaves the check's lazy import() calls as they are.
import { createRequire } from "node:module";
import { register as registerImportHooks } from "tsx/esm/api";

const require = createRequire(import.meta.url);

/** Runs `main(argv)` of a TypeScript entry point; its resolved number becomes the exit code, a throw exits 3. */
export function runTypeScriptMain(entry, label) {
  registerImportHooks();
  require("tsx/cjs/api").register();
  require(entry)
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
