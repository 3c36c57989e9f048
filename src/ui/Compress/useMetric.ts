import { Mode, useStore } from '../store/store';

/** The tab's compression metric (accuracy, higher is better; or loss) with its formatting. */
export function useMetric(which: Mode) {
  const metric = useStore((s) => s.compress[which].state?.metric);
  const higher = metric?.higherIsBetter ?? true;
  const fmt = (v: number) => (higher ? `${(v * 100).toFixed(2)}%` : v.toFixed(3));
  const delta = (v: number, base: number) =>
    higher ? `${(v - base) * 100 >= 0 ? '+' : ''}${((v - base) * 100).toFixed(2)} pt` : `${v - base >= 0 ? '+' : ''}${(v - base).toFixed(3)}`;
  return { name: metric?.name ?? '', fmt, delta, higher };
}
