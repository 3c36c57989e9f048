import type { EpochPoint, StepPoint } from '../../engine/train/trainer';
import { Panel } from '../common/Field';
import { MetricChart, useSeries, ZERO_TO_AUTO } from './ChartsPanel';
import { useOverlays } from './overlays';

// Cross-entropy H in nats per character; bits per character = H / ln 2; perplexity = e^H.
const nats = (p: StepPoint) => p.loss;
const valNats = (e: EpochPoint) => e.valLoss;
const bits = (p: StepPoint) => p.loss / Math.LN2;
const valBits = (e: EpochPoint) => e.valLoss / Math.LN2;
const valPerplexity = (e: EpochPoint) => Math.exp(e.valLoss);
const fixed3 = (v: number) => v.toFixed(3);
const fixed2 = (v: number) => v.toFixed(2);
const ONE_TO_AUTO: [number, 'auto'] = [1, 'auto'];

export function TextChartsPanel() {
  const { steps, epochs } = useSeries('text');
  const overlays = useOverlays('text');
  return (
    <Panel title="Live metrics" testId="text-charts-panel">
      <MetricChart title="Loss (nats per character)" steps={steps} epochs={epochs} train={nats} val={valNats} format={fixed3} yDomain={ZERO_TO_AUTO} epochWord="round" testId="nats-chart" overlays={overlays} />
      <MetricChart title="Loss (bits per character)" steps={steps} epochs={epochs} train={bits} val={valBits} format={fixed3} yDomain={ZERO_TO_AUTO} epochWord="round" testId="bits-chart" overlays={overlays} />
      <MetricChart title="Validation perplexity" steps={steps} epochs={epochs} val={valPerplexity} format={fixed2} yDomain={ONE_TO_AUTO} epochWord="round" testId="perplexity-chart" overlays={overlays} />
    </Panel>
  );
}
