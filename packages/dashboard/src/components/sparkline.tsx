/** A tiny inline line of a variable's history (SVG; one per table row is cheap). */
export function Sparkline({
  points,
  width = 120,
  height = 24,
}: {
  points: Array<{ step: number; value: number }>;
  width?: number;
  height?: number;
}) {
  if (points.length < 2) return <svg width={width} height={height} aria-hidden="true" />;
  const first = points[0] as { step: number };
  const last = points[points.length - 1] as { step: number };
  const minimum = Math.min(...points.map((point) => point.value));
  const maximum = Math.max(...points.map((point) => point.value));
  const spanX = Math.max(1, last.step - first.step);
  const spanY = maximum - minimum || 1;
  const path = points
    .map((point, index) => {
      const x = ((point.step - first.step) / spanX) * (width - 2) + 1;
      const y = height - 1 - ((point.value - minimum) / spanY) * (height - 2);
      return `${index === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  return (
    <svg width={width} height={height} aria-hidden="true" className="sparkline">
      <path d={path} fill="none" stroke="#2563eb" strokeWidth="1.25" />
    </svg>
  );
}
