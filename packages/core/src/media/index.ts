// @labelkit/core/media — decode every accepted image format (JPEG, PNG, BMP, TIFF, DICOM) in pages,
// workers and Node. Importing this module touches no DOM and starts no worker.
export { probeImage, inspectImage, type ProbeOptions, type Inspection } from './probe.js';
export { decodeImage, configureMediaWorker, terminateMediaWorker, mediaWorkerInfo, type MediaWorkerConfig } from './client.js';
export { decodeInProcess } from './decode-core.js';
export { sniffFormat, formatForExtension, extensionMismatch } from './sniff.js';
export { describeDecodeFailure, isUnreadableFailure, isFetchFailure, retryFetch, type DecodeFailure, type FetchRetryOptions } from './failure.js';
export { renderWindow, windowPresets, minMaxWindow, percentileWindow, windowFromRange, windowValue, dragWindow, modalityRange, WindowLeveler } from './window.js';
export { toImageBitmap, toImageData } from './drawable.js';
export { configureJpeg2000 } from './codecs/j2k-config.js';
export {
  DEFAULT_MAX_PIXELS,
  type ImageFormat,
  type ImageProbe,
  type Photometric,
  type ExtensionMismatch,
  type DecodeOptions,
  type DecodedImage,
  type RawGrey,
  type RawSamples,
  type WindowLevel,
  type WindowPreset,
} from './types.js';
