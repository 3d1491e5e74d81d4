// A fault-injecting HTTP proxy for the Azure tests: sits between the SDK and Azurite on 127.0.0.1
// and, per request, answers 503 or 429 itself, drops the connection, holds it without an answer
// (a timeout), slows it down — either before the request reaches Azurite or after Azurite has
// applied it (the answer is lost: the case retries must recognise). Seeded, so runs repeat.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '@labelkit/core';

export { mulberry32 };

export type Fault = 'none' | 'slow' | '503-before' | '429-before' | 'drop-before' | 'timeout-before' | '503-after' | 'drop-after' | 'timeout-after';

export interface FaultPlan {
  /** Chance that a request gets a fault (0..1). */
  readonly rate: number;
  /** Relative weights of the faults picked when one happens. */
  readonly weights?: Partial<Record<Exclude<Fault, 'none'>, number>>;
  /** Delay of 'slow' responses, ms (default 300). */
  readonly slowMs?: number;
  /** How long a 'timeout' holds the connection before dropping it, ms (default 3,000). */
  readonly holdMs?: number;
  readonly seed?: number;
}

export interface FaultRequest {
  readonly method: string;
  /** Path and query, SAS included — the proxy never records it. */
  readonly url: string;
  /** Blob path without query: /account/container/blob */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

export class FaultProxy {
  readonly stats: Record<Fault, number> = {
    none: 0,
    slow: 0,
    '503-before': 0,
    '429-before': 0,
    'drop-before': 0,
    'timeout-before': 0,
    '503-after': 0,
    'drop-after': 0,
    'timeout-after': 0,
  };
  /** Scripted faults first: return one to force it for that request. */
  script: ((req: FaultRequest) => Fault | undefined) | undefined;
  plan: FaultPlan = { rate: 0 };
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #rand: () => number = Math.random;
  port = 0;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /** The proxy's equivalent of Azurite's blob endpoint. */
  endpoint(account = 'devstoreaccount1'): string {
    return `http://127.0.0.1:${this.port}/${account}`;
  }

  setPlan(plan: FaultPlan): void {
    this.plan = plan;
    this.#rand = mulberry32(plan.seed ?? 1);
  }

  get faults(): number {
    return Object.entries(this.stats).reduce((s, [k, n]) => (k === 'none' ? s : s + n), 0);
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5_000;
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  #pick(req: FaultRequest): Fault {
    const scripted = this.script?.(req);
    if (scripted) return scripted;
    if (this.plan.rate <= 0 || this.#rand() >= this.plan.rate) return 'none';
    const w = this.plan.weights ?? { slow: 1, '503-before': 1, '429-before': 1, 'drop-before': 1, 'timeout-before': 1, '503-after': 1, 'drop-after': 1, 'timeout-after': 1 };
    const entries = Object.entries(w).filter(([, n]) => (n ?? 0) > 0) as [Fault, number][];
    const total = entries.reduce((s, [, n]) => s + n, 0);
    let x = this.#rand() * total;
    for (const [f, n] of entries) {
      if ((x -= n) < 0) return f;
    }
    return entries[entries.length - 1][0];
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? '/';
    const fault = this.#pick({ method: req.method ?? 'GET', url, path: url.split('?')[0], headers: req.headers });
    this.stats[fault]++;
    const hold = this.plan.holdMs ?? 3_000;
    switch (fault) {
      case '503-before':
        return azureError(res, 503, 'ServerBusy', 'The server is busy.');
      case '429-before':
        return azureError(res, 429, 'ServerBusy', 'Operations per second is over the account limit.', { 'retry-after': '0' });
      case 'drop-before':
        req.socket.destroy();
        return;
      case 'timeout-before':
        this.#later(hold, () => req.socket.destroy());
        return;
    }
    let upstream: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      upstream = await forward(this.targetHost, this.targetPort, req, body);
    } catch {
      req.socket.destroy();
      return;
    }
    switch (fault) {
      case '503-after':
        return azureError(res, 503, 'InternalError', 'The server encountered an internal error.');
      case 'drop-after':
        req.socket.destroy();
        return;
      case 'timeout-after':
        this.#later(hold, () => req.socket.destroy());
        return;
      case 'slow':
        this.#later(this.plan.slowMs ?? 300, () => relay(res, upstream));
        return;
      default:
        relay(res, upstream);
    }
  }
}

function forward(host: string, port: number, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    delete headers.connection;
    const up = httpRequest({ host, port, method: req.method, path: req.url, headers }, (r) => {
      const parts: Buffer[] = [];
      r.on('data', (d: Buffer) => parts.push(d));
      r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(parts) }));
      r.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}

function relay(res: ServerResponse, up: { status: number; headers: IncomingMessage['headers']; body: Buffer }): void {
  if (res.destroyed) return;
  const headers = { ...up.headers };
  delete headers.connection;
  delete headers['transfer-encoding'];
  headers['content-length'] = String(up.body.length);
  res.writeHead(up.status, headers);
  res.end(up.body);
}

function azureError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}
