// Runs a TypeScript entry point (the check, the bench's floor) through the harness's TypeScript loader
// (typescript-loader.js), in JavaScript because it installs that loader itself.
"use strict";
require("./typescript-loader");

/** Runs `main(argv)` of a TypeScript entry point; its resolved number becomes the exit code, a throw exits 3. */
function runTypeScriptMain(entry, label) {
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

module.exports = { runTypeScriptMain };
