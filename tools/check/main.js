#!/usr/bin/env node
// Entry point of `npm run check`: cli.ts through the harness's transpile cache (see typescript-entry.js for why).
"use strict";
const path = require("path");
require("../harness/typescript-entry").runTypeScriptMain(path.join(__dirname, "cli.ts"), "check");
