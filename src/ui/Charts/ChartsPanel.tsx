import { Panel } from '../common/Field';
import { MetricChart } from '../common/lazyCharts';
import type { EpochPoint, StepPoint } from '../../engine/config/events';

export const ZERO_TO_AUTO: [number, 'auto'] = [0, 'auto'];
const ZERO_TO_ONE: [number, number] = [0, 1];

const lossOf = (p: StepPoint) => p.loss;
const accOf = (p: StepPoint) => p.accuracy;
const valLossOf = (e: EpochPoint) => e.valLoss;
const valAccOf = (e: EpochPoint) => e.valAccuracy;
const fixed3 = (v: number) => v.toFixed(3);
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

export function ChartsPanel() {
  return (
    <Panel title="Live metrics" testId="charts-panel" className="charts-panel">
      <div className="charts">
        <MetricChart
          task="images"
          title="Loss"
          train={lossOf}
          val={valLossOf}
          format={fixed3}
          yDomain={ZERO_TO_AUTO}
          epochWord="epoch"
          testId="loss-chart"
          order={0}
        />
        <MetricChart
          task="images"
          title="Accuracy"
          train={accOf}
          val={valAccOf}
          format={percent}
          yDomain={ZERO_TO_ONE}
          epochWord="epoch"
          testId="accuracy-chart"
          order={1}
        />
      </div>
    </Panel>
  );
}
