#!/usr/bin/env node
// Entry point of `npm run check`: cli.ts through tsx (see ../harness/typescript-entry.mjs).
"use strict";
const path = require("path");
import("../harness/typescript-entry.mjs").then(({ runTypeScriptMain }) =>
  runTypeScriptMain(path.join(__dirname, "cli.ts"), "check"),
);
