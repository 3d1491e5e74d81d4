// @labelkit/core/azure — Azure Blob Storage: a DataSource over a container, a shared Store for
// teams, and streaming writes for exports. This subpath is the only one that imports
// @azure/storage-blob (an optional peer dependency of @labelkit/core).
export { AzureBlobSource, parseAzurePath, type AzureBlobSourceOptions, type AzurePathSpec } from './blob-source.js';
export { AzureBlobStore, type AzureBlobStoreOptions } from './blob-store.js';
export { createContainerClient, describeContainer, type AzureContainerTarget, type TokenCredentialLike } from './connection.js';
export { exportBlobName, writeExport, type ExportTarget } from './export.js';
export { redact, stripQuery } from './redact.js';
export { DEFAULT_RETRY, type AzureRetryEvent, type AzureRetryOptions } from './retry.js';
export { type AzureFailure } from './errors.js';
export { type ChunkSource, type UploadStreamOptions } from './upload-stream.js';
export {
  uploadFiles,
  UPLOAD_HASH_METADATA,
  type UploadInput,
  type UploadOptions,
  type UploadProgress,
  type UploadProblem,
  type UploadProject,
  type UploadReport,
  type UploadTarget,
} from './upload.js';
