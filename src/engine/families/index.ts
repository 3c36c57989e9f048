import type { ModelKind, Which } from '../config/api';
import { charLstmFamily } from './charLstm/family';
import { charTransformerFamily } from './charTransformer/family';
import type { FamilyContext, ModelFamily } from './family';
import { imagesFamily } from './images/family';

/** Every model family, by the id the page and the stored runs use. Adding a family: one folder and one line here. */
const FAMILIES: Record<Which, ModelFamily> = {
  images: imagesFamily,
  text: charLstmFamily,
};

/** The text tab's second family; the page's current char model decides which of the two a 'text' call means. */
const TEXT_FAMILIES = [charLstmFamily, charTransformerFamily];

export function familyOf(which: Which, ctx?: FamilyContext): ModelFamily {
  const kind = which === 'text' ? ctx?.charModel?.meta.kind : undefined;
  return (kind && TEXT_FAMILIES.find((f) => f.kinds.includes(kind))) || FAMILIES[which];
}

/** The family that builds a model kind (the page measures backends per kind). */
export function familyOfKind(kind: ModelKind): ModelFamily {
  const family = [...Object.values(FAMILIES), ...TEXT_FAMILIES].find((f) => f.kinds.includes(kind));
  if (!family) throw new Error(`No model family builds "${kind}" models.`);
  return family;
}
