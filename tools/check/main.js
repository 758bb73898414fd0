#!/usr/bin/env node
// Entry point of `npm run check`: cli.ts through esbuild (see ../harness/typescript-loader.js).
"use strict";
const path = require("path");
require("../harness/typescript-entry").runTypeScriptMain(path.join(__dirname, "cli.ts"), "check");
