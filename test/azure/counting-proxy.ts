// A counting HTTP proxy in front of Azurite for the team benchmark and the team test: one listening
// port per client (so every request is attributed to the client that sent it, whatever the SDK puts
// in the URL), each request forwarded unchanged over a keep-alive agent. Counts requests by kind
// (what the blob name says: journal segment, lease, tail, registry, snapshot), answers by status
// (409/412 on lease documents are lease conflicts) and the bytes of every answer's body (egress).
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RequestKind = 'journal' | 'lease' | 'tail' | 'clients' | 'snapshot' | 'list' | 'other';

export interface ClientCounts {
  requests: number;
  bytesIn: number;
  bytesOut: number;
  byKind: Record<RequestKind, number>;
  /** GET and HEAD requests by kind (reads). */
  readsByKind: Record<RequestKind, number>;
  /** 409/412 answers to writes of lease documents. */
  leaseConflicts: number;
}

const kinds = (): Record<RequestKind, number> => ({ journal: 0, lease: 0, tail: 0, clients: 0, snapshot: 0, list: 0, other: 0 });
const zero = (): ClientCounts => ({ requests: 0, bytesIn: 0, bytesOut: 0, byKind: kinds(), readsByKind: kinds(), leaseConflicts: 0 });

export function kindOf(path: string, query: string): RequestKind {
  if (/(^|&)comp=list/.test(query)) return 'list';
  if (path.includes('/journal/')) return 'journal';
  if (path.includes('/leases/')) return 'lease';
  if (path.includes('/tail/')) return 'tail';
  if (path.includes('/clients/')) return 'clients';
  if (path.includes('/snapshot/')) return 'snapshot';
  return 'other';
}

export class CountingProxy {
  readonly counts = new Map<string, ClientCounts>();
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 256 });
  /** Told about every answer (diagnostics). */
  onAnswer: ((client: string, method: string, path: string, status: number) => void) | undefined;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /** Opens a port for `client`; returns its blob endpoint (Azurite's account path included). */
  async endpointFor(client: string, account = 'devstoreaccount1'): Promise<string> {
    this.counts.set(client, zero());
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const [path, query = ''] = (req.url ?? '/').split('?');
        const c = this.counts.get(client)!;
        c.requests++;
        c.bytesOut += body.length;
        const kind = kindOf(path, query);
        c.byKind[kind]++;
        if (req.method === 'GET' || req.method === 'HEAD') c.readsByKind[kind]++;
        const headers = { ...req.headers };
        delete headers.connection;
        const up = httpRequest({ host: this.targetHost, port: this.targetPort, method: req.method, path: req.url, headers, agent: this.#agent }, (r: IncomingMessage) => {
          const parts: Buffer[] = [];
          r.on('data', (d: Buffer) => parts.push(d));
          r.on('end', () => {
            const out = Buffer.concat(parts);
            c.bytesIn += out.length;
            if (kind === 'lease' && req.method === 'PUT' && (r.statusCode === 409 || r.statusCode === 412)) c.leaseConflicts++;
            this.onAnswer?.(client, req.method ?? 'GET', path, r.statusCode ?? 0);
            if (res.destroyed) return;
            const h = { ...r.headers };
            delete h.connection;
            delete h['transfer-encoding'];
            h['content-length'] = String(out.length);
            res.writeHead(r.statusCode ?? 502, h);
            res.end(out);
          });
          r.on('error', () => req.socket.destroy());
        });
        up.on('error', () => req.socket.destroy());
        up.end(body);
      });
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.#servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/${account}`;
  }

  /** A copy of one client's counters (to take differences around a call). */
  snapshot(client: string): ClientCounts {
    const c = this.counts.get(client) ?? zero();
    return { ...c, byKind: { ...c.byKind }, readsByKind: { ...c.readsByKind } };
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.#agent.destroy();
  }
}
