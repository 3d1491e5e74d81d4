import { LabelkitError, type ErrorCode } from '../errors.js';
import { redact } from './redact.js';

/** What went wrong with one request, in words safe to show (no URL, no headers, no body). */
export interface AzureFailure {
  /** 'http': the service answered with an error status; 'network': reset/refused/DNS; 'timeout': no answer in time. */
  readonly kind: 'http' | 'network' | 'timeout' | 'aborted';
  readonly status?: number;
  /** Azure's error code (`BlobNotFound`, `ConditionNotMet`, `ServerBusy`…) or the socket error code. */
  readonly code?: string;
  /** Seconds the service asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
}

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Classifies an error thrown by the SDK (or by our per-attempt timeout). */
export function classify(err: unknown, timedOut: boolean): AzureFailure | undefined {
  if (timedOut) return { kind: 'timeout' };
  const e = (err ?? {}) as RestErrorLike;
  if (e.name === 'AbortError' || (err as { code?: string })?.code === 'ABORT_ERR') return { kind: 'aborted' };
  if (typeof e.statusCode === 'number' && e.statusCode > 0) {
    const ra = e.response?.headers?.get?.('retry-after');
    const secs = ra !== undefined ? Number(ra) : NaN;
    return { kind: 'http', status: e.statusCode, code: safeCode(e.code), retryAfterMs: Number.isFinite(secs) ? secs * 1000 : undefined };
  }
  const code = safeCode(e.code ?? (err as { cause?: { code?: string } })?.cause?.code);
  // A RestError without a status, or a socket error: a transport failure, the request may or may not have landed.
  if (e.name === 'RestError' || isNetworkCode(code)) return { kind: 'network', code };
  return undefined; // not a transport failure: a bug, surfaced as it is
}

export function isNetworkCode(code: string | undefined): boolean {
  return code !== undefined && NETWORK_CODES.has(code);
}

function safeCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
}

/** Worth another try: throttling, server errors, timeouts, dropped connections. */
export function isRetryable(f: AzureFailure): boolean {
  if (f.kind === 'timeout' || f.kind === 'network') return true;
  if (f.kind !== 'http' || f.status === undefined) return false;
  return f.status === 408 || f.status === 429 || (f.status >= 500 && f.status !== 501 && f.status !== 505);
}

/** A failure after which the request may have been applied by the service even though we saw no success. */
export function isAmbiguous(f: AzureFailure): boolean {
  return f.kind === 'timeout' || f.kind === 'network' || (f.kind === 'http' && f.status !== undefined && f.status >= 500);
}

export function describeFailure(f: AzureFailure): string {
  switch (f.kind) {
    case 'timeout':
      return 'no answer in time';
    case 'network':
      return `connection failed${f.code ? ` (${f.code})` : ''}`;
    case 'aborted':
      return 'cancelled';
    default:
      return `HTTP ${f.status}${f.code ? ` ${f.code}` : ''}`;
  }
}

/** The one place Azure failures become LabelkitErrors. Never carries the SDK error (its request holds the SAS). */
export function toLabelkitError(op: 'read' | 'write' | 'delete' | 'list', what: string, where: string, f: AzureFailure, attempts: number): LabelkitError {
  const detail = describeFailure(f);
  const details = { target: redact(what), status: f.status, azureCode: f.code, attempts };
  const cause = { name: 'AzureFailure', kind: f.kind, status: f.status, code: f.code };
  if (f.kind === 'http' && (f.status === 401 || f.status === 403)) {
    return new LabelkitError(
      'E_FORBIDDEN',
      redact(
        `Azure Blob storage ${where} refused to ${op} ${what} (${detail}). Check that the SAS token or credential is valid, not expired, and grants ${permissionFor(op)} permission.`,
      ),
      details,
      { cause },
    );
  }
  if (f.kind === 'http' && f.status === 404 && op === 'list') {
    return new LabelkitError('E_NOT_FOUND', redact(`Azure Blob container ${where} was not found (${detail}). Check the container name and URL.`), details, { cause });
  }
  const code: ErrorCode = op === 'read' || op === 'list' ? 'E_STORE_READ' : 'E_STORE_WRITE';
  const advice =
    op === 'read' || op === 'list'
      ? 'Nothing was changed. Check the connection to Azure Blob storage and retry.'
      : 'The change was not confirmed and nothing else was applied; retrying the same operation is safe.';
  return new LabelkitError(
    code,
    redact(`Could not ${op} ${what} in Azure Blob storage ${where} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${detail}). ${advice}`),
    details,
    {
      cause,
    },
  );
}

function permissionFor(op: string): string {
  return op === 'read' ? 'read' : op === 'list' ? 'list' : op === 'delete' ? 'delete' : 'write/create';
}
