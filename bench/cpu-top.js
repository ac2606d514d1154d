// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time, and self
// time grouped by where the code lives (a package, node internals, this project's dist/, native).
// Usage: node bench/cpu-top.js <file.cpuprofile> [--top 25]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

function shortUrl(url) {
  if (!url) return "";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) return url.slice(modules + "/node_modules/".length);
  const dist = url.indexOf("/dist/");
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, "");
}

function category(frame) {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "native (C++ bindings, builtins)";
  if (url.startsWith("node:")) return `node: ${url.replace(/^node:(internal\/)?/, "").split("/")[0]}`;
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return `pkg: ${rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.indexOf("/dist/");
  if (dist !== -1) return `dist: ${url.slice(dist + "/dist/".length)}`;
  return shortUrl(url);
}

export function summarize(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample's weight is the time until the next one.
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const byFunction = new Map();
  const byCategory = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id).callFrame;
    totalUs += us;
    const key = `${frame.functionName || "(anonymous)"}\u0000${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const group = category(frame);
    byCategory.set(group, (byCategory.get(group) ?? 0) + us);
  }
  const idleUs = [...selfUs].filter(([id]) => nodes.get(id).callFrame.functionName === "(idle)").reduce((a, [, us]) => a + us, 0);
  const busyUs = totalUs - idleUs;
  const pct = (us) => `${((us / busyUs) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const lines = [
    `profile ${(totalUs / 1e6).toFixed(1)} s, busy ${(busyUs / 1e6).toFixed(1)} s (${((busyUs / totalUs) * 100).toFixed(0)}%); shares below are of busy time`,
    "",
    `top ${top} functions by self time:`,
    ...[...byFunction]
      .filter(([key]) => !key.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [name, where] = key.split("\u0000");
        return `${ms(us)} ${pct(us)}  ${name}  ${where === ":0" ? "" : where}`;
      }),
    "",
    "self time by location:",
    ...[...byCategory]
      .filter(([group]) => group !== "(idle)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([group, us]) => `${ms(us)} ${pct(us)}  ${group}`),
  ];
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file, flag, value] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node bench/cpu-top.js <file.cpuprofile> [--top 25]");
    process.exit(2);
  }
  console.log(summarize(JSON.parse(readFileSync(file, "utf8")), flag === "--top" ? Number(value) : 25));
}
