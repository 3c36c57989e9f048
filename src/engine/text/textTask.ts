// TEMPORARY ui shim (removed when src/ui imports engine/config directly)
export * from '../config/textTrain';
