// Shared setup of the Azure tests: Azurite, containers, SAS tokens, a fault proxy, secret scans.
import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startAzurite, type AzuriteHandle } from './azurite.js';
import { FaultProxy } from './fault-proxy.js';

export interface AzureTestEnv {
  azurite: AzuriteHandle;
  service: BlobServiceClient;
  /** A fresh container with a unique name. */
  container(name?: string): Promise<{ name: string; sas: string; url: string; proxiedUrl(proxy: FaultProxy): string }>;
  proxy(): Promise<FaultProxy>;
  stop(): Promise<void>;
}

let counter = 0;

/** `fastLookups`: Azurite with its blob lookups by name (see azurite-lookup-patch.cjs), for load tests. */
export async function azureTestEnv(options: { fastLookups?: boolean } = {}): Promise<AzureTestEnv> {
  const azurite = await startAzurite({ fastLookups: options.fastLookups });
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString, { retryOptions: { maxTries: 3 } });
  const proxies: FaultProxy[] = [];
  return {
    azurite,
    service,
    async container(prefix = 'c') {
      const name = `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`.toLowerCase().slice(0, 63);
      await service.getContainerClient(name).create();
      const sas = containerSas(azurite, name);
      return { name, sas, url: `${azurite.blobEndpoint}/${name}`, proxiedUrl: (p: FaultProxy) => `${p.endpoint()}/${name}` };
    },
    async proxy() {
      const p = new FaultProxy(azurite.host, azurite.port);
      await p.start();
      proxies.push(p);
      return p;
    },
    async stop() {
      for (const p of proxies) await p.stop();
      await azurite.stop();
    },
  };
}

export function containerSas(azurite: AzuriteHandle, container: string, permissions = 'racwdl', expiresOn = new Date(Date.now() + 3600_000)): string {
  const cred = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  return generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn }, cred).toString();
}

/** The secret part of a SAS (its signature), decoded and encoded as it may appear. */
export function secretsOf(sas: string): string[] {
  const sig = new URLSearchParams(sas).get('sig') ?? '';
  return [sig, encodeURIComponent(sig)].filter((s) => s.length > 8);
}

/** Reads every blob in a container and returns the names of those containing any secret, plus a total. */
export async function scanContainer(service: BlobServiceClient, container: string, secrets: readonly string[]): Promise<{ scanned: number; bytes: number; leaks: string[] }> {
  const c = service.getContainerClient(container);
  const leaks: string[] = [];
  let scanned = 0;
  let bytes = 0;
  for await (const b of c.listBlobsFlat({ includeMetadata: true })) {
    scanned++;
    const buf = await c.getBlobClient(b.name).downloadToBuffer();
    bytes += buf.length;
    const text = buf.toString('latin1') + JSON.stringify(b.metadata ?? {}) + b.name;
    if (secrets.some((s) => text.includes(s))) leaks.push(b.name);
  }
  return { scanned, bytes, leaks };
}

/** Everything an error says: message, details, cause, stack — as text. */
export function errorText(err: unknown): string {
  const e = err as Error & { details?: unknown; cause?: unknown };
  return [String(e?.message), e?.stack ?? '', JSON.stringify(e?.details ?? {}), JSON.stringify(e?.cause ?? {}), String(e?.cause ?? ''), JSON.stringify(e)].join('\n');
}
