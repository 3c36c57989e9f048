import type { EpochPoint, StepPoint } from '../../engine/config/events';
import { Panel } from '../common/Field';
import { MetricChart } from '../common/lazyCharts';
import { ZERO_TO_AUTO } from './ChartsPanel';

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
  return (
    <Panel title="Live metrics" testId="text-charts-panel" className="charts-panel">
      <div className="charts three">
        <MetricChart
          task="text"
          title="Loss (nats per character)"
          train={nats}
          val={valNats}
          format={fixed3}
          yDomain={ZERO_TO_AUTO}
          epochWord="round"
          testId="nats-chart"
          order={0}
        />
        <MetricChart
          task="text"
          title="Loss (bits per character)"
          train={bits}
          val={valBits}
          format={fixed3}
          yDomain={ZERO_TO_AUTO}
          epochWord="round"
          testId="bits-chart"
          order={1}
        />
        <MetricChart
          task="text"
          title="Validation perplexity"
          val={valPerplexity}
          format={fixed2}
          yDomain={ONE_TO_AUTO}
          epochWord="round"
          testId="perplexity-chart"
          order={2}
        />
      </div>
    </Panel>
  );
}
