import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

function cpuModel() {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

function cpuTimes() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  return { idle, total: fields.reduce((a, b) => a + b, 0) };
}

/** Share of all cores busy over `ms`, measured while this benchmark runs nothing: other tenants' load. */
export async function backgroundBusy(ms = 1000) {
  try {
    const before = cpuTimes();
    await sleep(ms);
    const after = cpuTimes();
    return 1 - (after.idle - before.idle) / Math.max(1, after.total - before.total);
  } catch {
    return NaN;
  }
}

export function machine() {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    kernel: release(),
    loadavg: loadavg(),
  };
}

export function describeMachine(m) {
  return `${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB RAM, Node ${m.node}, Linux ${m.kernel}`;
}
