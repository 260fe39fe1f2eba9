import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A virtualized list (@tanstack/react-virtual): only the rows in view are in the DOM, so a
 * timeline of 40,000 events costs what 30 rows cost. With `followTail` it keeps the newest row in
 * view while the user has not scrolled up.
 */
export function VirtualList<Item>({
  items,
  count,
  rowHeight,
  height,
  renderRow,
  followTail = false,
  label,
  testId,
}: {
  items: ArrayLike<Item>;
  /** How many of `items` to show (the arrays grow in place, so the caller passes the length it read). */
  count: number;
  rowHeight: number;
  height: number | string;
  renderRow: (item: Item, index: number) => ReactNode;
  followTail?: boolean;
  label: string;
  testId?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });

  useEffect(() => {
    if (followTail && atBottom.current && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, followTail, virtualizer]);

  return (
    <div
      ref={scroller}
      className="virtual-list"
      style={{ height }}
      data-label={label}
      data-testid={testId}
      data-count={count}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight * 2;
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            className="virtual-row"
            style={{
              position: 'absolute',
              top: 0,
              left: 0,
              right: 0,
              height: row.size,
              transform: `translateY(${row.start}px)`,
            }}
          >
            {renderRow(items[row.index] as Item, row.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
