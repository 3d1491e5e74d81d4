// @labelkit/ml — ML assist: onnxruntime-web (WebGPU, falling back to WASM) in a Web Worker.
// Named exports only. onnxruntime-web loads lazily, inside the worker.
export { createAssistant, type AssistantOptions, type MlAssistant } from './assistant.js';
export { type EngineInfo } from './engine/engine.js';
export { type DetectorSpec, type EngineConfig, type FeaturizerSpec, type ModelSource, type ModelSpec } from './engine/specs.js';
export { AssistLoop, type AssistLoopOptions, type AssistLoopProgress, type AssistLoopReport, type ItemFailure, type RealizedPrecision, type RoundReport } from './assist/loop.js';
export { attachAssist, type AssistHandle, type AttachAssistOptions } from './attach.js';
export { EmbeddingCache } from './assist/embedding-cache.js';
export { findFlags, type FlagInput, type FlagOptions, type RowFlags } from './assist/flags.js';
export { featurizeProject, type BatchFeaturizeOptions, type BatchFeaturizeResult } from './batch-featurize.js';
export { type Pixels, type Placement, type Preprocess, preprocess, preprocessInto } from './preprocess.js';
export {
  ElemType,
  buildModel,
  cutModel,
  elemTypeName,
  inspectModel,
  tensorElemType,
  type CutOptions,
  type CutOutput,
  type CutResult,
  type GraphSpec,
  type ModelInfo,
  type NodeInfo,
  type ValueInfo,
} from './onnx/model.js';
export { kmeans, kmeansPlusPlus, type KMeansOptions, type KMeansResult } from './numerics/kmeans.js';
export { jsAssignKernel, rowNorms, type AssignKernel } from './numerics/assign.js';
export { trainHead, predictHead, type Head, type HeadTargets, type HeadTrainOptions } from './numerics/head.js';
export { fitHead, fitHeadCV, splitHoldout, prelabelsFromProbs, type CrossFitOptions, type CrossFitResult, type FitOptions, type FitResult } from './numerics/fit.js';
export { chooseThreshold, wilsonLower, wilsonUpper, type ThresholdChoice, type ThresholdOptions } from './numerics/threshold.js';
export {
  calibrateBoxThreshold,
  decodeYolox,
  iou,
  mapDetections,
  matchBoxes,
  nms,
  type Box,
  type BoxCalibration,
  type Detection,
  type LabeledBox,
  type YoloxDecodeOptions,
} from './numerics/detect.js';
