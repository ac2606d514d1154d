// Writes dist/help.txt, the top-level --help, so `pinwheel-cli --help` can print it without
// loading commander and building every command (the start-up benchmark's target is 1.3x `node -e 0`).
import { writeFileSync } from "node:fs";
import { buildProgram } from "../dist/cli.js";
import { renderHelp } from "../dist/help-text.js";

writeFileSync(new URL("../dist/help.txt", import.meta.url), renderHelp(buildProgram()));
