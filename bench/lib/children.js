// Child processes for the benchmarks: servers that announce themselves with a JSON "ready" line,
// and commands run to completion. Servers write stdout to a file, not a pipe, so the benchmark
// process (which also drives the load) does not spend CPU reading what they print per request.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export const REPO = new URL("../../", import.meta.url).pathname;
export const CLI = `${REPO}bin/pinwheel-cli.cjs`;

function firstLine(path) {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(4096);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString("utf8");
    const end = text.indexOf("\n");
    return end === -1 ? undefined : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}

/** Starts `node <args>` and waits for its first stdout line, a JSON object with type "ready". */
export async function startServer(args, { env = process.env, stdoutFile, nodeFlags = [], timeoutMs = 20_000 }) {
  const fd = openSync(stdoutFile, "w");
  const child = spawn(process.execPath, [...nodeFlags, ...args], { cwd: REPO, env, stdio: ["ignore", fd, "pipe"] });
  closeSync(fd);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    if (stderr.length < 16_384) stderr += chunk;
  });
  let exit;
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve((exit = { code, signal }))));
  const deadline = Date.now() + timeoutMs;
  let ready;
  while (!ready) {
    if (exit) throw new Error(`${args.join(" ")} exited (${exit.code ?? exit.signal}) before it was ready: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${args.join(" ")} was not ready within ${timeoutMs} ms: ${stderr.trim()}`);
    }
    const line = firstLine(stdoutFile);
    if (line !== undefined) ready = JSON.parse(line);
    else await sleep(20);
  }
  return {
    pid: child.pid,
    url: ready.url,
    ready,
    stderr: () => stderr,
    /** SIGINT (graceful: listen commits and, under --cpu-prof, writes its profile), SIGKILL after graceMs. */
    async stop(graceMs = 15_000) {
      if (exit) return exit;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs `node <args>` to completion; kills it after timeoutMs. */
export function runNode(args, { env = process.env, nodeFlags = [], timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, ...args], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

const CLK_TCK = 100;

/** utime + stime of a process or thread (a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat), in microseconds; only stime with sysOnly. 0 once it is gone. */
export function cpuMicros(statPath, sysOnly = false) {
  try {
    const stat = readFileSync(statPath, "utf8");
    // utime and stime, fields 14 and 15 of proc(5), in clock ticks; the command name before them may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (((sysOnly ? 0 : Number(fields[11])) + Number(fields[12])) * 1e6) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
