/**
 * A deliberately strict stand-in for Pinwheel's /v1/webhooks, written from FACTS.md alone (no
 * code shared with src/): every request whose method, path, headers or body deviates is
 * recorded as a violation and refused, so a test that checks `violations` is empty fails on it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

// FACTS.md, "The webhooks API".
const VERSIONS = ["2022-09-09", "2023-04-18", "2023-07-18", "2023-11-22", "2025-07-08"];
const STATUSES = ["active", "paused"];
const CREATE_KEYS = ["enabled_events", "status", "url", "version"];
const UPDATE_KEYS = ["enabled_events", "status", "url"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface FakeWebhook {
  id: string;
  url: string;
  status: string;
  enabled_events: string[];
  version: string;
  created_at: string;
  last_updated: string;
}

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers that replace the fake's own for the next requests, in order (error paths, timeouts). */
export interface ScriptedAnswer {
  status: number;
  /** A JSON value, or raw text sent as-is. */
  body: unknown;
  raw?: boolean;
  delayMs?: number;
}

export interface StrictFake {
  /** e.g. http://127.0.0.1:41234 (no trailing slash), for --base-url. */
  url: string;
  requests: FakeRequest[];
  violations: string[];
  webhooks: FakeWebhook[];
  script: ScriptedAnswer[];
  close(): Promise<void>;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string" && item !== "");
}

function checkBody(kind: "create" | "update", body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const keys = Object.keys(body).sort();
  const allowed = kind === "create" ? CREATE_KEYS : UPDATE_KEYS;
  if (kind === "create" && keys.join() !== CREATE_KEYS.join()) problems.push(`create body keys ${keys.join()} != ${CREATE_KEYS.join()}`);
  if (kind === "update" && (keys.length === 0 || keys.some((key) => !allowed.includes(key)))) problems.push(`update body keys ${keys.join()} not a non-empty subset of ${UPDATE_KEYS.join()}`);
  if ("url" in body && (typeof body.url !== "string" || !body.url.startsWith("https://"))) problems.push(`url ${JSON.stringify(body.url)} is not https://`);
  if ("status" in body && !STATUSES.includes(body.status as string)) problems.push(`status ${JSON.stringify(body.status)}`);
  if ("enabled_events" in body && !isStringArray(body.enabled_events)) problems.push(`enabled_events ${JSON.stringify(body.enabled_events)}`);
  if ("version" in body && !VERSIONS.includes(body.version as string)) problems.push(`version ${JSON.stringify(body.version)}`);
  return problems;
}

export async function startStrictFake(expectedSecret: string): Promise<StrictFake> {
  const fake: Omit<StrictFake, "url" | "close"> = { requests: [], violations: [], webhooks: [], script: [] };
  const cursors = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const method = request.method ?? "";
      const target = new URL(request.url ?? "/", "http://fake");
      fake.requests.push({ method, url: request.url ?? "", headers: request.headers, body });
      const problems: string[] = [];
      const send = (status: number, value: unknown, raw = false, delayMs = 0) => {
        const reply = () => {
          if (response.destroyed) return;
          const text = raw ? String(value) : JSON.stringify(value);
          response.writeHead(status, { "content-type": raw ? "text/html" : "application/json" });
          response.end(text);
        };
        if (delayMs <= 0) return reply();
        const timer = setTimeout(() => {
          timers.delete(timer);
          reply();
        }, delayMs);
        timers.add(timer);
      };

      if (request.headers["x-api-secret"] !== expectedSecret) problems.push(`x-api-secret is ${JSON.stringify(request.headers["x-api-secret"])}`);
      if (!VERSIONS.includes(String(request.headers["pinwheel-version"]))) problems.push(`Pinwheel-Version is ${JSON.stringify(request.headers["pinwheel-version"])}`);
      const hasBody = method === "POST" || method === "PUT";
      if (hasBody && !/^application\/json(;|$)/.test(String(request.headers["content-type"]))) problems.push(`content-type is ${request.headers["content-type"]}`);
      if (!hasBody && body !== "") problems.push(`${method} with a body`);
      let json: Record<string, unknown> = {};
      if (hasBody) {
        try {
          const parsed: unknown = JSON.parse(body);
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) problems.push("body is not a JSON object");
          else json = parsed as Record<string, unknown>;
        } catch {
          problems.push("body is not JSON");
        }
      }
      const id = target.pathname.startsWith("/v1/webhooks/") ? target.pathname.slice("/v1/webhooks/".length) : undefined;
      const collection = target.pathname === "/v1/webhooks";
      if (!collection && !(id && UUID.test(id))) problems.push(`path ${target.pathname}`);
      if (collection && !["GET", "POST"].includes(method)) problems.push(`${method} on the collection`);
      if (id && !["GET", "PUT", "DELETE"].includes(method)) problems.push(`${method} on a webhook`);
      if (method === "POST") problems.push(...checkBody("create", json));
      if (method === "PUT") problems.push(...checkBody("update", json));
      const limit = target.searchParams.get("limit");
      const cursor = target.searchParams.get("cursor");
      if (collection && method === "GET") {
        if (limit !== null && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100)) problems.push(`limit ${limit}`);
        if (cursor !== null && !cursors.has(cursor)) problems.push(`cursor ${cursor} was never handed out`);
      }

      if (problems.length > 0) {
        fake.violations.push(...problems.map((problem) => `${method} ${request.url}: ${problem}`));
        return send(400, { error: { type: "INVALID_REQUEST_PARAMETERS", code: "strict_fake_violation", message: problems.join("; "), status_code: 400 } });
      }
      const scripted = fake.script.shift();
      if (scripted) return send(scripted.status, scripted.body, scripted.raw, scripted.delayMs);

      const now = new Date().toISOString();
      const notFound = () =>
        send(404, { error: { type: "RECORD_NOT_FOUND", code: "not_found", message: `Webhook ${id} not found`, status_code: 404 } });
      if (collection && method === "POST") {
        const webhook = { id: randomUUID(), ...(json as Omit<FakeWebhook, "id">), created_at: now, last_updated: now };
        fake.webhooks.push(webhook as FakeWebhook);
        return send(200, { data: webhook });
      }
      if (collection) {
        const start = cursor === null ? 0 : cursors.get(cursor)!;
        const size = limit === null ? 25 : Number(limit);
        const page = fake.webhooks.slice(start, start + size);
        let next: string | null = null;
        if (start + size < fake.webhooks.length) {
          next = `cursor-${randomUUID()}`;
          cursors.set(next, start + size);
        }
        return send(200, { data: page, meta: { count: page.length, next_cursor: next } });
      }
      const index = fake.webhooks.findIndex((webhook) => webhook.id === id);
      if (index < 0) return notFound();
      if (method === "GET") return send(200, { data: fake.webhooks[index] });
      if (method === "PUT") {
        fake.webhooks[index] = { ...fake.webhooks[index]!, ...(json as Partial<FakeWebhook>), last_updated: now };
        return send(200, { data: fake.webhooks[index] });
      }
      fake.webhooks.splice(index, 1);
      return send(200, {});
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    // The arrays are shared with the handler above: the test reads and scripts the same ones.
    requests: fake.requests,
    violations: fake.violations,
    webhooks: fake.webhooks,
    script: fake.script,
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const timer of timers) clearTimeout(timer);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A webhook as the fake stores it, for seeding pages without going through the client. */
export function seedWebhook(fake: StrictFake, index: number): FakeWebhook {
  const now = new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString();
  const webhook = { id: randomUUID(), url: `https://example.com/hook-${index}`, status: "active", enabled_events: ["income.added"], version: "2025-07-08", created_at: now, last_updated: now };
  fake.webhooks.push(webhook);
  return webhook;
}
