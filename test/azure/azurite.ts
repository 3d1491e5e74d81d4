// Test harness: starts Azurite's blob service (the npm package) on 127.0.0.1 on a free port, in
// memory, as a child process. Used by the Azure tests, the Azure benchmark and the Azure example.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Azurite's well-known development account (public, documented; not a secret of anyone's). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  readonly host: string;
  readonly port: number;
  /** e.g. http://127.0.0.1:49152/devstoreaccount1 */
  readonly blobEndpoint: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly connectionString: string;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function azuriteBlobMain(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('azurite/package.json');
  return join(dirname(pkg), 'dist', 'src', 'blob', 'main.js');
}

/**
 * Starts Azurite (blob only). `location` puts its data in a folder (a temp dir) instead of memory.
 * `fastLookups` (benchmarks) preloads azurite-lookup-patch.cjs so seeding 100k blobs is not quadratic.
 * Resolves once it accepts connections; `stop()` ends exactly the process it started.
 */
export async function startAzurite(options: { location?: string; host?: string; fastLookups?: boolean } = {}): Promise<AzuriteHandle> {
  const host = options.host ?? '127.0.0.1';
  let lastErr: unknown;
  for (let tries = 0; tries < 5; tries++) {
    const port = await freePort(host);
    const args = [
      ...(options.fastLookups ? ['--require', fileURLToPath(new URL('./azurite-lookup-patch.cjs', import.meta.url))] : []),
      azuriteBlobMain(),
      '--blobHost',
      host,
      '--blobPort',
      String(port),
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
      '--disableTelemetry',
      ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: azuriteEnv() });
    try {
      await waitForListening(child, host, port);
      return handle(child, host, port);
    } catch (err) {
      lastErr = err;
      child.kill('SIGKILL');
    }
  }
  throw new Error(`Azurite did not start: ${String(lastErr)}`);
}

function azuriteEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AZURITE_DB; // a SQL metadata store would rule out in-memory persistence
  return env;
}

function handle(child: ChildProcess, host: string, port: number): AzuriteHandle {
  const blobEndpoint = `http://${host}:${port}/${AZURITE_ACCOUNT}`;
  let exited = child.exitCode !== null;
  // Never leave an Azurite behind when the process that started it ends without stop().
  const onExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', onExit);
  });
  return {
    host,
    port,
    blobEndpoint,
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function waitForListening(child: ChildProcess, host: string, port: number): Promise<void> {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited (${child.exitCode}): ${output.slice(-500)}`);
    if (/successfully listening/i.test(output) || (await canConnect(host, port))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Azurite did not listen on ${host}:${port} within 30 s: ${output.slice(-500)}`);
}

async function canConnect(host: string, port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
