import type { RunEvent } from '@sandtable/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from './database';

/**
 * How events are stored (migration 0006): a row of `events` holds one event or a chunk of
 * consecutive ones of one write (a step, a boundary, the closing events), keyed by the sequence
 * of its last event. Chunks hold only the events a step emits per agent ({@link groupedTypes});
 * every other event (step-started, state-changed, beliefs-changed, step-completed, run-…) is a row
 * of its own, so reads by those types touch no chunk. Rows written before 0006 are one event each
 * (`event_count` 1), and read the same way.
 */

/** The most events one row holds. Readers rely on it to bound their scans: never lower it. */
export const maximumEventsPerRow = 1000;

/** The event types a step emits once per agent (or more): stored together in chunks. */
const groupedTypes: ReadonlySet<RunEvent['type']> = new Set([
  'agent-acted',
  'agent-failed',
  'message-sent',
  'constraint-hit',
]);

/**
 * Separates the rows of one insert in its text parameters. JSON.stringify escapes every control
 * character inside strings and writes no raw ones between tokens, so neither this nor the newline
 * between a chunk's events can occur inside an event's JSON.
 */
const rowSeparator = '\u001e';

/** One row as read back. */
interface EventRow {
  last_sequence: number;
  body: string;
  event_count: number;
}

interface RowDraft {
  lastSequence: number;
  count: number;
  /** The events' one type, or '' when they have several (then `types` lists each). */
  type: string;
  types: string;
  body: string;
}

function draftsOf(stepEvents: readonly RunEvent[]): RowDraft[] {
  const drafts: RowDraft[] = [];
  let group: RunEvent[] = [];
  let bodies: string[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const types = group.map((event) => event.type);
    const mixed = types.some((type) => type !== types[0]);
    drafts.push({
      lastSequence: group.at(-1)!.sequence,
      count: group.length,
      type: mixed ? '' : types[0]!,
      types: mixed ? types.join(',') : '',
      body: bodies.join('\n'),
    });
    group = [];
    bodies = [];
  };
  for (const event of stepEvents) {
    if (!groupedTypes.has(event.type)) {
      flush();
      drafts.push({
        lastSequence: event.sequence,
        count: 1,
        type: event.type,
        types: '',
        body: JSON.stringify(event),
      });
      continue;
    }
    group.push(event);
    bodies.push(JSON.stringify(event));
    if (group.length === maximumEventsPerRow) flush();
  }
  flush();
  return drafts;
}

/**
 * Inserts one write's events (consecutive sequences) in one statement, chunked as described
 * above: the rows travel as a few separator-joined text parameters, split by `unnest`.
 */
export async function insertEvents(
  database: Queryable,
  runId: string,
  step: number,
  stepEvents: readonly RunEvent[],
): Promise<void> {
  if (stepEvents.length === 0) return;
  const drafts = draftsOf(stepEvents);
  const column = (pick: (draft: RowDraft) => string | number) => drafts.map(pick).join(rowSeparator);
  await database.execute(sql`
    INSERT INTO events (run_id, last_sequence, event_count, step, type, types, body)
    SELECT ${runId}, u.last_sequence::integer, u.event_count::integer, ${step}::integer, u.type, u.types, u.body
    FROM unnest(
      string_to_array(${column((draft) => draft.lastSequence)}::text, ${rowSeparator}),
      string_to_array(${column((draft) => draft.count)}::text, ${rowSeparator}),
      string_to_array(${column((draft) => draft.type)}::text, ${rowSeparator}, ''),
      string_to_array(${column((draft) => draft.types)}::text, ${rowSeparator}, ''),
      string_to_array(${column((draft) => draft.body)}::text, ${rowSeparator})
    ) AS u(last_sequence, event_count, type, types, body)`);
}

function eventsOfRow(row: EventRow): RunEvent[] {
  if (Number(row.event_count) === 1) return [JSON.parse(row.body) as RunEvent];
  // One parse for the whole chunk: its events are JSON texts separated by raw newlines.
  return JSON.parse(`[${row.body.replaceAll('\n', ',')}]`) as RunEvent[];
}

/** What {@link selectEvents} reads. */
export interface EventSelection {
  /** Events with a sequence above this. */
  after: number;
  /** …and at most this. */
  through?: number;
  types?: readonly RunEvent['type'][];
  fromStep?: number;
  toStep?: number;
  /** At most this many events. @defaultValue all */
  limit?: number;
}

function typeCondition(types: readonly RunEvent['type'][]): SQL {
  const list = sql`ARRAY[${sql.join(
    types.map((type) => sql`${type}`),
    sql`, `,
  )}]::text[]`;
  return sql`AND (type = ANY(${list}) OR (type IS NULL AND string_to_array(types, ',') && ${list}))`;
}

/**
 * A run's stored events in sequence order, as {@link EventSelection} says. Rows are read whole
 * and cut to the range in memory. Without a type or step filter the sequences wanted are known
 * (they have no gaps), so one bounded range scan reads them; with one, rows are read in rounds
 * sized from the matches found so far, so a page of a rare type does not read the whole run.
 */
export async function selectEvents(
  database: Queryable,
  runId: string,
  selection: EventSelection,
): Promise<RunEvent[]> {
  const { after, through, types, fromStep, toStep } = selection;
  const limit = selection.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return [];
  const wanted = (event: RunEvent) =>
    event.sequence > after &&
    (through === undefined || event.sequence <= through) &&
    (types === undefined || types.length === 0 || types.includes(event.type));
  const filters = sql`
    ${through !== undefined ? sql`AND last_sequence - event_count < ${through}` : sql``}
    ${types && types.length > 0 ? typeCondition(types) : sql``}
    ${fromStep !== undefined ? sql`AND step >= ${fromStep}` : sql``}
    ${toStep !== undefined ? sql`AND step <= ${toStep}` : sql``}`;
  const filtered =
    (types !== undefined && types.length > 0) || fromStep !== undefined || toStep !== undefined;
  const found: RunEvent[] = [];
  const take = (rows: readonly EventRow[]) => {
    for (const row of rows) {
      for (const event of eventsOfRow(row)) {
        if (found.length >= limit) return;
        if (wanted(event)) found.push(event);
      }
    }
  };
  if (!filtered) {
    // Sequences after..after+limit: the rows that end past `after` and begin at or before the last wanted.
    const last = Math.min(after + limit, through ?? Number.POSITIVE_INFINITY);
    const bounded = Number.isFinite(last);
    take(
      await rowsOf<EventRow>(
        database,
        sql`SELECT last_sequence, event_count, body FROM events
          WHERE run_id = ${runId} AND last_sequence > ${after}
          ${bounded ? sql`AND last_sequence < ${last + maximumEventsPerRow} AND last_sequence - event_count < ${last}` : sql``}
          ${filters}
          ORDER BY last_sequence`,
      ),
    );
    return found;
  }
  let cursor = after;
  let rowsRead = 0;
  let batch = 1;
  for (;;) {
    const rows = await rowsOf<EventRow>(
      database,
      sql`SELECT last_sequence, event_count, body FROM events
        WHERE run_id = ${runId} AND last_sequence > ${cursor} ${filters}
        ORDER BY last_sequence
        ${Number.isFinite(limit) ? sql`LIMIT ${batch}` : sql``}`,
    );
    take(rows);
    rowsRead += rows.length;
    if (!Number.isFinite(limit) || found.length >= limit || rows.length < batch) return found;
    cursor = Number(rows.at(-1)!.last_sequence);
    const perRow = found.length / rowsRead;
    batch =
      perRow > 0
        ? Math.max(1, Math.ceil((limit - found.length) / perRow))
        : Math.min(batch * 4, maximumEventsPerRow);
  }
}
