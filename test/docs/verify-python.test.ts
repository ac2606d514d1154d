/**
 * docs/verify.md's "Verify in any language" Python sample runs as written: copied out into a tiny
 * http.server handler (python3, standard library only) on 127.0.0.1 port 0, it accepts what
 * `pinwheel-cli simulate` signs, refuses another secret, and passes the conformance suite's
 * signature and timestamp checks. Skipped where there is no python3.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, tempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";

const SECRET = "sk_python_sample_5e2a";
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "pinwheel-cli-python-sample-"));
const home = tempHome();
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  home.cleanup();
});

function pythonSample(): string {
  const text = readFileSync(join(REPO_ROOT, "docs/verify.md"), "utf8");
  const heading = text.indexOf("## Verify in any language");
  if (heading < 0) throw new Error('docs/verify.md has no "## Verify in any language" section');
  const block = /```python\n([\s\S]*?)```/.exec(text.slice(heading))?.[1];
  if (block === undefined) throw new Error("no python block in docs/verify.md's Verify in any language");
  return block;
}

/** The handler around the sample: 200 when verify_pinwheel_webhook says True, else 401. */
const HARNESS = `
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        raw_body = self.rfile.read(int(self.headers.get("content-length", "0")))
        ok = verify_pinwheel_webhook(sys.argv[1], self.headers.get("x-pinwheel-signature"), self.headers.get("x-timestamp"), raw_body)
        body = b'{"received":true}' if ok else b'{"error":"invalid signature"}'
        self.send_response(200 if ok else 401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
`;

async function startPythonHandler(): Promise<{ url: string; stop(): void }> {
  const file = join(work, "handler.py");
  writeFileSync(file, `${pythonSample()}\n${HARNESS}`);
  const child = spawn("python3", [file, SECRET], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", (code) => reject(new Error(`python3 exited ${code}: ${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}/webhooks`, stop: () => child.kill() };
}

describe("docs/verify.md: the Python sample", () => {
  it.skipIf(!hasPython)("accepts what simulate signs with its secret, refuses another, and passes the conformance suite's forgery checks", async () => {
    const handler = await startPythonHandler();
    try {
      const genuine = await runCli(["simulate", "income.added", "--to", handler.url, "--secret", SECRET, "--quiet"], { env: home.env });
      expectExit(genuine, 0);
      expect(genuine.stdout).toMatch(/^✔ 200 {2}income\.added/);
      const other = await runCli(["simulate", "income.added", "--to", handler.url, "--secret", "sk_another_one", "--quiet"], { env: home.env });
      expectExit(other, 1);
      expect(other.stdout).toMatch(/^✖ 401 {2}income\.added/);
      const checks = ["genuine-events", "forged-signature", "tampered-body", "wrong-secret", "missing-signature", "missing-timestamp", "stale-timestamp", "timestamp-in-milliseconds", "content-type"];
      const suite = await runCli(["smoke", "--suite", "conformance", "--to", handler.url, "--secret", SECRET, "--checks", checks.join(","), "--events", "income.added,paystubs.added", "--json"], { env: home.env, timeoutMs: 60_000 });
      expectExit(suite, 0);
      const report = JSON.parse(suite.stdout) as { passed: number; checks: { id: string; verdict: string }[] };
      expect(report.checks.map((check) => [check.id, check.verdict])).toEqual(checks.map((id) => [id, "pass"]));
    } finally {
      handler.stop();
    }
  }, 90_000);
});
