#!/usr/bin/env node
// Entry point of the bench's floor measurement (floor.ts), loaded the way the check loads itself (main.js).
"use strict";
const path = require("path");
require("../harness/typescript-entry").runTypeScriptMain(path.join(__dirname, "floor.ts"), "floor");
