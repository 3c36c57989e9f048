import { TRANSFORMER_PRESET_LABELS, TRANSFORMER_PRESETS, type TransformerPresetName } from '../../engine/config/charTransformer';
import { applyTransformerPreset, setTransformerModel } from '../store/textActions';
import { useStore } from '../store/store';
import { NumberField, SelectField } from '../common/Field';

const PRESET_NAMES = Object.keys(TRANSFORMER_PRESETS) as TransformerPresetName[];

/** The char-Transformer's preset (tiny, small, or custom numbers, set in the Settings view), beside the corpus. */
export function TransformerPreset() {
  const preset = useStore((s) => s.text.gptPreset);
  return (
    <SelectField
      label="Preset"
      value={preset}
      options={[...PRESET_NAMES, 'custom'] as const}
      labels={{ ...TRANSFORMER_PRESET_LABELS, custom: 'Custom' }}
      testId="gpt-preset"
      onChange={(v) => v !== 'custom' && applyTransformerPreset(v)}
    />
  );
}

/** The char-Transformer's numbers (Settings view), checked as the char-LSTM's are. */
export function TransformerFields() {
  const m = useStore((s) => s.text.gpt);
  return (
    <>
      <NumberField
        label="Layers (1-12)"
        value={m.layers}
        testId="gpt-layers"
        hint="Pre-norm blocks: causal self-attention, then an MLP 4x wide with GELU, each with a residual."
        onChange={(layers) => setTransformerModel({ layers })}
      />
      <NumberField
        label="Attention heads"
        value={m.heads}
        testId="gpt-heads"
        hint="The width is split among the heads."
        onChange={(heads) => setTransformerModel({ heads })}
      />
      <NumberField
        label="Width"
        value={m.width}
        testId="gpt-width"
        hint="Embedding size; a multiple of the heads."
        onChange={(width) => setTransformerModel({ width })}
      />
      <NumberField
        label="Context (characters)"
        value={m.context}
        testId="gpt-context"
        hint="Characters each position can look back over; each training window is this long."
        onChange={(context) => setTransformerModel({ context })}
      />
      <NumberField
        label="Dropout"
        value={m.dropout}
        step={0.05}
        testId="gpt-dropout"
        hint="Where nanoGPT drops: embeddings, attention weights, both residual branches."
        onChange={(dropout) => setTransformerModel({ dropout })}
      />
      <SelectField
        label="Output head"
        value={m.tied ? 'tied' : 'separate'}
        options={['tied', 'separate'] as const}
        labels={{ tied: 'Tied to the embedding', separate: 'Its own weights' }}
        testId="gpt-tied"
        onChange={(v) => setTransformerModel({ tied: v === 'tied' })}
      />
    </>
  );
}
