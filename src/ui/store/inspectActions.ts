import type { Which } from '../../engine/config/api';
import type {
  CellChoice,
  CellView,
  DigitView,
  ImageWeightsView,
  SaliencyMethod,
  TextSurpriseView,
  TrainingHealthView,
} from '../../engine/config/inspect';
import { engine } from './engine';

/** The Inspect views ask the worker on demand; a refused call (no model yet) comes back as its message. */
export const inspectImageWeights = (): Promise<ImageWeightsView> => engine.inspectImageWeights();
export const inspectText = (passage: string): Promise<TextSurpriseView> => engine.inspectText(passage);
export const inspectDigit = (pixels: Float32Array, method: SaliencyMethod): Promise<DigitView> => engine.inspectDigit(pixels, method);
export const inspectHealth = (which: Which, snapshot = false): Promise<TrainingHealthView> => engine.inspectHealth(which, snapshot);
export const inspectCells = (passage: string, choice: CellChoice): Promise<CellView> => engine.inspectCells(passage, choice);
