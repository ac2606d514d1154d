#!/usr/bin/env node
"use strict";
// CommonJS on purpose: the fast commands run from a CommonJS bundle (scripts/bundle-fast.js), and an
// ES module here would start Node's ES module loader for nothing. Everything else is the ES module program.

// Node 22+ caches compiled code between runs; on Node 20 this is a no-op.
require("node:module").enableCompileCache?.();

if (!require("../dist/fast/start.cjs").startFast(process.argv)) import("../dist/main.js");
