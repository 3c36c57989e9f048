import type { DigitView, ImageWeightsView, TextSurpriseView } from '../../engine/config/inspect';
import { engine } from './engine';

/** The Inspect views ask the worker on demand; a refused call (no model yet) comes back as its message. */
export const inspectImageWeights = (): Promise<ImageWeightsView> => engine.inspectImageWeights();
export const inspectText = (passage: string): Promise<TextSurpriseView> => engine.inspectText(passage);
export const inspectDigit = (pixels: Float32Array): Promise<DigitView> => engine.inspectDigit(pixels);
