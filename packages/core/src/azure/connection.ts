import { AnonymousCredential, BlobServiceClient, ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { LabelkitError } from '../errors.js';
import { redact, stripQuery } from './redact.js';

/** An Entra ID credential (`@azure/identity`'s `DefaultAzureCredential`, `InteractiveBrowserCredential`…). */
export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: unknown): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/**
 * Where the container is and how to reach it. Exactly one of:
 * - `containerUrl` with a SAS: either in the URL's query or as `sasToken` (with or without '?');
 * - `containerUrl` with a `credential` (a TokenCredential; needs https);
 * - `connectionString` and `containerName` (account keys work in Node only; SAS connection strings everywhere);
 * - `containerClient`, one you built yourself (its retry policy is yours to switch off).
 * The secret parts are kept inside the SDK client and never put in `description`, messages or events.
 */
export type AzureContainerTarget =
  | { readonly containerUrl: string; readonly sasToken?: string; readonly credential?: undefined }
  | { readonly containerUrl: string; readonly credential: TokenCredentialLike; readonly sasToken?: undefined }
  | { readonly connectionString: string; readonly containerName: string }
  | { readonly containerClient: ContainerClient };

/** Pipeline options we always use: the SDK's retries off (ours know about idempotent re-sends). */
function pipelineOptions(extra?: StoragePipelineOptions): StoragePipelineOptions {
  return { ...extra, retryOptions: { maxTries: 1, tryTimeoutInMs: 24 * 3600_000, ...extra?.retryOptions } };
}

export function createContainerClient(target: AzureContainerTarget, extra?: StoragePipelineOptions): ContainerClient {
  if ('containerClient' in target && target.containerClient) return target.containerClient;
  if ('connectionString' in target && target.connectionString !== undefined) {
    if (!target.containerName) throw new LabelkitError('E_INVALID_ARGUMENT', 'A connection string needs a containerName as well.');
    try {
      return BlobServiceClient.fromConnectionString(target.connectionString, pipelineOptions(extra)).getContainerClient(target.containerName);
    } catch (err) {
      throw new LabelkitError(
        'E_INVALID_ARGUMENT',
        'The Azure Storage connection string could not be used. Check its format (AccountName, AccountKey or SharedAccessSignature, BlobEndpoint); account-key connection strings work only in Node — in a browser use a SAS.',
        { reason: redact(String((err as Error)?.message ?? err)) },
      );
    }
  }
  if ('containerUrl' in target && target.containerUrl) {
    let url: URL;
    try {
      url = new URL(target.containerUrl);
    } catch {
      throw new LabelkitError('E_INVALID_ARGUMENT', `"${stripQuery(target.containerUrl)}" is not a container URL (https://<account>.blob.core.windows.net/<container>).`);
    }
    if (target.credential) {
      return new ContainerClient(stripQuery(url.toString()), target.credential as never, pipelineOptions(extra));
    }
    if (target.sasToken) {
      const sas = target.sasToken.replace(/^\?/, '');
      url.search = url.search ? `${url.search.slice(1)}&${sas}` : sas;
    }
    return new ContainerClient(url.toString(), new AnonymousCredential(), pipelineOptions(extra));
  }
  throw new LabelkitError('E_INVALID_ARGUMENT', 'Give a container URL (with a SAS or a credential), a connection string with a container name, or a ContainerClient.');
}

/** Node's `util.inspect` as it is handed to an object's `[Symbol.for('nodejs.util.inspect.custom')]`. */
export type Inspect = (value: unknown, options: unknown) => string;

/**
 * What `util.inspect` shows of an object that holds a container client: its class and its `toJSON()`,
 * never the SDK client, whose URL and pipeline can hold a SAS or key.
 */
export function inspectWithoutSecrets(self: { toJSON(): unknown }, options: unknown, inspect?: Inspect): string {
  return `${self.constructor.name} ${inspect ? inspect(self.toJSON(), options) : JSON.stringify(self.toJSON())}`;
}

/** "account/container", for descriptions and messages. */
export function describeContainer(client: ContainerClient): string {
  let account = '';
  try {
    account = client.accountName;
  } catch {
    account = '';
  }
  return `${account ? account + '/' : ''}${client.containerName}`;
}
