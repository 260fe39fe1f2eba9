/** Formats a cost in dollars; "—" when unknown. */
export function formatCost(cost: number | undefined): string {
  if (cost === undefined || cost === null) return '—';
  if (cost === 0) return '$0';
  return cost < 0.01 ? `$${cost.toFixed(4)}` : `$${cost.toFixed(2)}`;
}

/** Formats a number for tables: integers as they are, others with three significant decimals. */
export function formatNumber(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
  }
  if (Array.isArray(value)) return `[${value.map(formatNumber).join(', ')}]`;
  if (value === undefined || value === null) return '—';
  return String(value);
}

/** Whether a run status is still live (worth polling and streaming). */
export function isLiveStatus(status: string): boolean {
  return status === 'running' || status === 'paused' || status === 'queued' || status === 'waiting';
}
