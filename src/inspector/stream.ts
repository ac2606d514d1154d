import type { IncomingMessage, ServerResponse } from "node:http";
import { SECURITY_HEADERS } from "../http/security-headers.js";

/** Sends one event, typed by the stream's map of event names to the JSON they carry. */
export type Publish<Events> = <K extends keyof Events & string>(event: K, data: Events[K], id?: number) => void;

export interface StreamOptions {
  /** A comment line this often keeps proxies and the browser from timing the stream out. */
  heartbeatMs?: number;
  /** A client whose unsent output grows past this is too slow to keep: it is dropped and reconnects. */
  maxBufferedBytes?: number;
  maxClients?: number;
}

/**
 * Server-sent events to every open page. Nothing is queued per client beyond the socket's own
 * buffer, and that is bounded: a page that stops reading is disconnected, and when its browser
 * reconnects (sending Last-Event-ID) it catches up from the event store instead.
 */
export class EventStream<Events extends object = Record<string, unknown>> {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBufferedBytes: number;
  private readonly maxClients: number;
  private closing = false;

  constructor(options: StreamOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 256 * 1024;
    this.maxClients = options.maxClients ?? 32;
    this.heartbeat = setInterval(() => this.write(": ping\n\n"), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** True once `close()` ran: a page reconnecting then is refused. */
  get closed(): boolean {
    return this.closing;
  }

  /** Starts a stream; `catchUp` writes what the client missed (from Last-Event-ID) before live events. */
  open(request: IncomingMessage, response: ServerResponse, catchUp: (send: Publish<Events>) => void): boolean {
    if (this.closing || this.clients.size >= this.maxClients) return false;
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      // A stream's connection is never reused: kept alive after close() ended the stream, it would carry
      // the page's reconnect to a server that is stopping, which then holds it open until its cut-off.
      connection: "close",
      "x-accel-buffering": "no",
    });
    response.write("retry: 1500\n\n");
    this.clients.add(response);
    const remove = () => this.clients.delete(response);
    request.once("close", remove);
    response.once("close", remove);
    catchUp((event, data, id) => this.send(response, frame(event, data, id)));
    return true;
  }

  publish<K extends keyof Events & string>(event: K, data: Events[K], id?: number): void {
    if (this.clients.size > 0) this.write(frame(event, data, id));
  }

  close(): void {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) this.send(client, text);
  }

  private send(client: ServerResponse, text: string): void {
    if (client.writableLength > this.maxBufferedBytes) {
      this.clients.delete(client);
      client.destroy();
      return;
    }
    client.write(text);
  }
}

function frame(event: string, data: unknown, id?: number): string {
  // JSON.stringify never emits a raw newline, so one data: line holds the whole value.
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
