export { LabelkitError, throwIfAborted, type ErrorCode } from './errors.js';
export { ACCEPTED_EXTENSIONS, MAX_ITEMS_PER_PROJECT, extensionOf, isAcceptedImagePath, isDicomPath, type AcceptedExtension } from './formats.js';
