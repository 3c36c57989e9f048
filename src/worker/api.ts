// TEMPORARY ui shim (removed when src/ui imports engine/config directly)
export * from '../engine/config/api';
export * from '../engine/config/backends';
export * from '../engine/config/data';
export * from '../engine/config/imageModel';
export * from '../engine/config/train';
export * from '../engine/config/events';
export * from '../engine/config/corpus';
export * from '../engine/config/charModel';
export * from '../engine/config/textTrain';
export * from '../engine/config/generate';
export * from '../engine/config/results';
export * from '../engine/config/compress';
export * from '../engine/config/diagnostics';
export * from '../engine/config/runs';
