import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  values: ArrayLike<number | null>;
}

const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];

/** The colour of the n-th series, the same in every chart. */
export function seriesColor(index: number): string {
  return palette[index % palette.length] as string;
}

/**
 * A line chart (uPlot: canvas, tens of thousands of points at no cost). The plot is built once per
 * set of series names; new points only call `setData`, so a chart updating every step does not
 * rebuild anything.
 */
export function MetricChart({
  title,
  steps,
  series,
  height = 160,
  markStep,
}: {
  title: string;
  steps: ArrayLike<number>;
  series: ChartSeries[];
  height?: number;
  /** Draws a vertical line at this step (the divergence step in compare). */
  markStep?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const mark = useRef(markStep);
  mark.current = markStep;
  const labels = series.map((line) => line.label).join('\u0000');

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series change.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [{ label: undefined, size: 30 }, { size: 50 }],
      series: [
        { label: 'step' },
        ...series.map((line, index) => ({
          label: line.label,
          stroke: seriesColor(index),
          width: 1.5,
          spanGaps: true,
        })),
      ],
      hooks: {
        draw: [
          (chart: uPlot) => {
            const step = mark.current;
            if (step === undefined) return;
            const x = chart.valToPos(step, 'x', true);
            const context = chart.ctx;
            context.save();
            context.strokeStyle = '#f59e0b';
            context.setLineDash([4, 4]);
            context.beginPath();
            context.moveTo(x, chart.bbox.top);
            context.lineTo(x, chart.bbox.top + chart.bbox.height);
            context.stroke();
            context.restore();
          },
        ],
      },
    };
    const chart = new uPlot(options, toData(steps, series), element);
    plot.current = chart;
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
  }, [labels, height]);

  useEffect(() => {
    plot.current?.setData(toData(steps, series));
  });

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} />
    </figure>
  );
}

function toData(steps: ArrayLike<number>, series: ChartSeries[]): uPlot.AlignedData {
  return [Array.from(steps), ...series.map((line) => Array.from(line.values))] as uPlot.AlignedData;
}
