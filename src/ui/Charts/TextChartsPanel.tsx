import type { EpochPoint, StepPoint } from '../../engine/train/trainer';
import { useStore } from '../store/store';
import { Panel } from '../common/Field';
import { MetricChart, NO_EPOCHS, NONE } from './ChartsPanel';

// Cross-entropy H in nats per character; bits per character = H / ln 2; perplexity = e^H.
const nats = (p: StepPoint) => p.loss;
const valNats = (e: EpochPoint) => e.valLoss;
const bits = (p: StepPoint) => p.loss / Math.LN2;
const valBits = (e: EpochPoint) => e.valLoss / Math.LN2;
const valPerplexity = (e: EpochPoint) => Math.exp(e.valLoss);
const fixed3 = (v: number) => v.toFixed(3);
const fixed2 = (v: number) => v.toFixed(2);

export function TextChartsPanel() {
  const mine = useStore((s) => s.train.task === 'text');
  const steps = useStore((s) => (mine ? s.train.steps : NONE));
  const epochs = useStore((s) => (mine ? s.train.epochs : NO_EPOCHS));
  return (
    <Panel title="Live metrics" testId="text-charts-panel">
      <MetricChart title="Loss (nats per character)" steps={steps} epochs={epochs} train={nats} val={valNats} format={fixed3} yDomain={[0, 'auto']} epochWord="round" testId="nats-chart" />
      <MetricChart title="Loss (bits per character)" steps={steps} epochs={epochs} train={bits} val={valBits} format={fixed3} yDomain={[0, 'auto']} epochWord="round" testId="bits-chart" />
      <MetricChart title="Validation perplexity" steps={steps} epochs={epochs} val={valPerplexity} format={fixed2} yDomain={[1, 'auto']} epochWord="round" testId="perplexity-chart" />
    </Panel>
  );
}
