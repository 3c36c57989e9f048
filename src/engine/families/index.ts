import type { ModelKind, Which } from '../config/api';
import { charLstmFamily } from './charLstm/family';
import type { ModelFamily } from './family';
import { imagesFamily } from './images/family';

/** Every model family, by the id the page and the stored runs use. Adding a family: one folder and one line here. */
const FAMILIES: Record<Which, ModelFamily> = {
  images: imagesFamily,
  text: charLstmFamily,
};

export const familyOf = (which: Which): ModelFamily => FAMILIES[which];

/** The family that builds a model kind (the page measures backends per kind). */
export function familyOfKind(kind: ModelKind): ModelFamily {
  const family = Object.values(FAMILIES).find((f) => f.kinds.includes(kind));
  if (!family) throw new Error(`No model family builds "${kind}" models.`);
  return family;
}
