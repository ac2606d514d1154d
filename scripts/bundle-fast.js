// Bundles the fast commands (src/cli/fast.ts: simulate, events list|show, verify, fixtures show,
// webhooks list) into CommonJS under dist/fast/, the first thing bin/pinwheel-cli.cjs requires.
// A one-shot command then compiles a few files instead of resolving and linking fifty ES modules,
// and Node never starts its ES module loader (bench/oneshot.js measures the CPU this saves).
//
// dist/fast/ sits one level under dist/, like dist/events/: the URLs the code builds from
// import.meta.url ("../../fixtures/events/") resolve to the same files from either place.
// better-sqlite3's JavaScript is bundled too (its dozen files cost a one-shot 6 ms to load); its
// native addon stays in its package, where src/store/database.ts finds it and passes it as
// `nativeBinding` (the `bindings` lookup, which a bundle would break, is never used).
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const out = `${dist}fast/`;
rmSync(out, { recursive: true, force: true });
await build({
  input: { start: `${dist}cli/fast-start.js` },
  platform: "node",
  external: [/^node:/],
  // The entry may export more than it declares: what every command shares then lives in start.cjs
  // instead of chunks of its own (events list required 23 files, now 17; each costs a resolution and a read).
  preserveEntrySignatures: "allow-extension",
  output: { dir: out, format: "cjs", entryFileNames: "[name].cjs", chunkFileNames: "[name]-[hash].cjs" },
  logLevel: "warn",
});
