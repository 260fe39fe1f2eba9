import type { AttemptRecord, CassetteEntry, RunEvent, StateChange } from '@sandtable/core';
import { SandtableError } from '@sandtable/core';
import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { newId } from './catalog-queries';
import { type Queryable, rowsOf, type StoreDatabase } from './database';
import { toRun } from './record-mappers';
import { agents, briefs, controlInputs, evaluations, events, modelCalls, runs, steps } from './schema';
import type {
  AgentRecord,
  BriefRecord,
  ControlInput,
  EvaluationRecord,
  MessageQuery,
  RunFinish,
  RunRecord,
  StepRecord,
  StepWrite,
  StoredControlInput,
  StoredMessage,
  StoredModelCall,
  WorldSnapshot,
} from './store-types';

/** The step's variable changes, in event order. */
export function deltasOf(stepEvents: readonly RunEvent[]): StateChange[] {
  const deltas: StateChange[] = [];
  for (const event of stepEvents) {
    if (event.type === 'state-changed' || event.type === 'agent-acted') deltas.push(...event.changes);
  }
  return deltas;
}

/** The step's messages, from its `message-sent` events. */
export function messagesOf(stepEvents: readonly RunEvent[]): StoredMessage[] {
  const found: StoredMessage[] = [];
  for (const event of stepEvents) {
    if (event.type !== 'message-sent') continue;
    found.push({
      sequence: event.sequence,
      from: event.from,
      ...(event.to !== undefined ? { to: event.to } : {}),
      ...(event.room !== undefined ? { room: event.room } : {}),
      ...(event.broadcast ? { broadcast: true } : {}),
      text: event.text,
      step: event.step,
      muted: event.muted === true,
    });
  }
  return found;
}

function writeFailed(runId: string, step: number, error: unknown): SandtableError {
  if (error instanceof SandtableError) return error;
  return new SandtableError(
    'STORE_WRITE_FAILED',
    `could not commit step ${step} of run ${runId}: ${(error as Error).message}`,
    { category: 'system', cause: error },
  );
}

/** Inserts events with one statement: bodies joined by newlines (JSON text never holds a raw one). */
async function insertEvents(
  database: Queryable,
  runId: string,
  step: number,
  stepEvents: readonly RunEvent[],
) {
  if (stepEvents.length === 0) return;
  const bodies = stepEvents.map((event) => JSON.stringify(event)).join('\n');
  const types = stepEvents.map((event) => event.type).join(',');
  const first = stepEvents[0]!.sequence;
  await database.execute(sql`
    INSERT INTO events (run_id, sequence, step, type, body)
    SELECT ${runId}, ${first}::integer + (u.n - 1)::integer, ${step}::integer, u.type, u.body
    FROM unnest(string_to_array(${bodies}::text, E'\\n'), string_to_array(${types}::text, ','))
      WITH ORDINALITY AS u(body, type, n)`);
}

async function insertMessages(database: Queryable, runId: string, found: readonly StoredMessage[]) {
  if (found.length === 0) return;
  const rows = found.map((message) => ({
    sequence: message.sequence,
    step: message.step,
    sender: message.from,
    recipient: message.to ?? null,
    room: message.room ?? null,
    broadcast: message.broadcast === true,
    muted: message.muted,
    text: message.text,
  }));
  await database.execute(sql`
    INSERT INTO messages (run_id, sequence, step, sender, recipient, room, broadcast, muted, text)
    SELECT ${runId}, m.sequence, m.step, m.sender, m.recipient, m.room, m.broadcast, m.muted, m.text
    FROM json_to_recordset(${JSON.stringify(rows)}::json)
      AS m(sequence integer, step integer, sender text, recipient text, room text, broadcast boolean, muted boolean, text text)`);
}

async function insertInputs(
  database: Queryable,
  runId: string,
  afterStep: number,
  inputs: readonly ControlInput[],
) {
  const [last] = await rowsOf<{ ordinal: number | null }>(
    database,
    sql`SELECT max(ordinal) AS ordinal FROM control_inputs WHERE run_id = ${runId}`,
  );
  const base = Number(last?.ordinal ?? 0);
  await database.insert(controlInputs).values(
    inputs.map((input, index) => ({
      runId,
      ordinal: base + index + 1,
      afterStep,
      kind: input.kind,
      input,
    })),
  );
}

/** Steps, events, messages, model calls, inputs, metrics, evaluations and briefs. */
export class HistoryQueries {
  /** Serialises model-call inserts per run, so ordinals follow completion order without gaps. */
  private readonly callChains = new Map<string, Promise<unknown>>();

  constructor(private readonly database: StoreDatabase) {}

  async ping(): Promise<void> {
    await this.database.execute(sql`SELECT 1`);
  }

  async putAgents(runId: string, list: AgentRecord[]): Promise<void> {
    if (list.length === 0) return;
    const rows = list.map((agent) => ({ ...agent, runId }));
    await this.database.execute(sql`
      INSERT INTO agents (run_id, agent_id, position, name, role, brain)
      SELECT ${runId}, a."agentId", a.position, a.name, a.role, a.brain
      FROM json_to_recordset(${JSON.stringify(rows)}::json)
        AS a("agentId" text, position integer, name text, role text, brain text)
      ON CONFLICT DO NOTHING`);
  }

  async listAgents(runId: string): Promise<AgentRecord[]> {
    const rows = await this.database
      .select()
      .from(agents)
      .where(eq(agents.runId, runId))
      .orderBy(asc(agents.position));
    return rows.map(({ runId: _run, ...agent }) => agent);
  }

  async appendStep(runId: string, step: number, write: StepWrite): Promise<void> {
    try {
      await this.database.transaction(async (transaction) => {
        const [run] = await transaction.select().from(runs).where(eq(runs.id, runId)).for('update');
        if (!run)
          throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
        if (step !== run.lastStep + 1) {
          throw new SandtableError(
            'STORE_STEP_OUT_OF_ORDER',
            `run ${runId}: step ${step} cannot follow committed step ${run.lastStep}`,
            { category: 'system' },
          );
        }
        let expected = run.lastSequence + 1;
        for (const event of write.events) {
          if (event.sequence !== expected) {
            throw new SandtableError(
              'STORE_STEP_OUT_OF_ORDER',
              `run ${runId} step ${step}: event sequence ${event.sequence} where ${expected} was expected`,
              { category: 'system' },
            );
          }
          expected += 1;
        }
        const completed = write.events.findLast((event) => event.type === 'step-completed');
        const metricValues = write.metrics ?? (completed?.type === 'step-completed' ? completed.metrics : {});
        const found = write.messages ?? messagesOf(write.events);
        await insertEvents(transaction, runId, step, write.events);
        await insertMessages(transaction, runId, found);
        // Boundary events committed ahead of the step (while it was paused) belong to it too.
        const [previous] = await rowsOf<{ last_sequence: number }>(
          transaction,
          sql`SELECT last_sequence FROM steps WHERE run_id = ${runId} AND step = ${step - 1}`,
        );
        const firstSequence = (previous?.last_sequence ?? 0) + 1;
        const boundary =
          firstSequence <= run.lastSequence
            ? await rowsOf<{ body: string }>(
                transaction,
                sql`SELECT body FROM events WHERE run_id = ${runId} AND sequence >= ${firstSequence}
                  AND sequence <= ${run.lastSequence} AND type = 'state-changed' ORDER BY sequence`,
              )
            : [];
        await transaction.insert(steps).values({
          runId,
          step,
          firstSequence,
          lastSequence: expected - 1,
          deltas: write.deltas ?? [
            ...deltasOf(boundary.map((row) => JSON.parse(row.body) as RunEvent)),
            ...deltasOf(write.events),
          ],
          metrics: metricValues,
          snapshot: write.snapshot ?? null,
        });
        const metricRows = Object.entries(metricValues).map(([name, value]) => ({
          name,
          value: Number.isFinite(value) ? value : null,
        }));
        if (metricRows.length > 0)
          await transaction.execute(sql`
            INSERT INTO metrics (run_id, step, name, value)
            SELECT ${runId}, ${step}::integer, m.name, m.value
            FROM json_to_recordset(${JSON.stringify(metricRows)}::json) AS m(name text, value double precision)`);
        if (write.inputs && write.inputs.length > 0)
          await insertInputs(transaction, runId, step - 1, write.inputs);
        const totals = { ...run.totals };
        totals.events = (totals.events ?? 0) + write.events.length;
        totals.messages = (totals.messages ?? 0) + found.length;
        if (completed?.type === 'step-completed') {
          totals.actions =
            (totals.actions ?? 0) + Object.values(completed.actions).reduce((sum, count) => sum + count, 0);
          totals.failures = (totals.failures ?? 0) + completed.failures;
        }
        await transaction
          .update(runs)
          .set({ lastStep: step, lastSequence: expected - 1, totals, updatedAt: new Date() })
          .where(eq(runs.id, runId));
      });
    } catch (error) {
      throw writeFailed(runId, step, error);
    }
  }

  async finishRun(runId: string, finish: RunFinish): Promise<RunRecord> {
    return this.database.transaction(async (transaction) => {
      const [run] = await transaction.select().from(runs).where(eq(runs.id, runId)).for('update');
      if (!run)
        throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
      // Closing events follow the last committed step; any others (a failed step's) were never committed.
      const closing = finish.events.filter((event) => event.sequence > run.lastSequence);
      const renumbered = closing.map((event, index) => ({
        ...event,
        sequence: run.lastSequence + index + 1,
      }));
      await insertEvents(transaction, runId, run.lastStep, renumbered as RunEvent[]);
      const [row] = await transaction
        .update(runs)
        .set({
          status: finish.status,
          outcome: finish.outcome,
          reason: finish.reason,
          error: finish.error ?? null,
          lastSequence: run.lastSequence + renumbered.length,
          totals: { ...run.totals, events: (run.totals.events ?? 0) + renumbered.length },
          finishedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(runs.id, runId))
        .returning();
      return toRun(row!);
    });
  }

  async appendBoundary(runId: string, boundaryEvents: RunEvent[]): Promise<void> {
    if (boundaryEvents.length === 0) return;
    try {
      await this.database.transaction(async (transaction) => {
        const [run] = await transaction.select().from(runs).where(eq(runs.id, runId)).for('update');
        if (!run)
          throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
        boundaryEvents.forEach((event, index) => {
          if (event.sequence !== run.lastSequence + index + 1) {
            throw new SandtableError(
              'STORE_STEP_OUT_OF_ORDER',
              `run ${runId}: boundary event sequence ${event.sequence} where ${run.lastSequence + index + 1} was expected`,
              { category: 'system' },
            );
          }
        });
        const found = messagesOf(boundaryEvents);
        await insertEvents(transaction, runId, run.lastStep + 1, boundaryEvents);
        await insertMessages(transaction, runId, found);
        await transaction
          .update(runs)
          .set({
            lastSequence: run.lastSequence + boundaryEvents.length,
            totals: {
              ...run.totals,
              events: (run.totals.events ?? 0) + boundaryEvents.length,
              messages: (run.totals.messages ?? 0) + found.length,
            },
            updatedAt: new Date(),
          })
          .where(eq(runs.id, runId));
      });
    } catch (error) {
      throw writeFailed(runId, -1, error);
    }
  }

  async reopenRun(runId: string): Promise<RunRecord> {
    return this.database.transaction(async (transaction) => {
      const [run] = await transaction.select().from(runs).where(eq(runs.id, runId)).for('update');
      if (!run)
        throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
      const [boundary] = await rowsOf<{ last_sequence: number }>(
        transaction,
        sql`SELECT last_sequence FROM steps WHERE run_id = ${runId} AND step = ${run.lastStep}`,
      );
      const lastSequence = boundary?.last_sequence ?? 0;
      await transaction.execute(
        sql`DELETE FROM events WHERE run_id = ${runId} AND sequence > ${lastSequence}`,
      );
      const [removed] = await rowsOf<{ count: string | number }>(
        transaction,
        sql`WITH gone AS (DELETE FROM messages WHERE run_id = ${runId} AND sequence > ${lastSequence} RETURNING 1)
          SELECT count(*) AS count FROM gone`,
      );
      const [row] = await transaction
        .update(runs)
        .set({
          status: 'running',
          outcome: null,
          reason: null,
          error: null,
          finishedAt: null,
          lastSequence,
          totals: {
            ...run.totals,
            events: (run.totals.events ?? 0) - (run.lastSequence - lastSequence),
            messages: (run.totals.messages ?? 0) - Number(removed?.count ?? 0),
          },
          updatedAt: new Date(),
        })
        .where(eq(runs.id, runId))
        .returning();
      return toRun(row!);
    });
  }

  async eventsAfter(
    runId: string,
    sequence: number,
    limit = 1000,
    filter: { types?: RunEvent['type'][]; fromStep?: number; toStep?: number } = {},
  ): Promise<RunEvent[]> {
    const rows = await this.database
      .select({ body: events.body })
      .from(events)
      .where(
        and(
          eq(events.runId, runId),
          sql`${events.sequence} > ${sequence}`,
          filter.types && filter.types.length > 0 ? inArray(events.type, filter.types) : undefined,
          filter.fromStep !== undefined ? gte(events.step, filter.fromStep) : undefined,
          filter.toStep !== undefined ? lte(events.step, filter.toStep) : undefined,
        ),
      )
      .orderBy(asc(events.sequence))
      .limit(limit);
    return rows.map((row) => row.body as RunEvent);
  }

  async eventsOfSteps(runId: string, fromStep: number, toStep: number): Promise<RunEvent[]> {
    // The steps' sequence range keeps this a primary-key range scan (resume reads every step).
    const [range] = await rowsOf<{ after: number | null; through: number | null }>(
      this.database,
      sql`SELECT (SELECT max(last_sequence) FROM steps WHERE run_id = ${runId} AND step < ${fromStep}) AS after,
        (SELECT last_sequence FROM steps WHERE run_id = ${runId} AND step = ${toStep}) AS through`,
    );
    const after = Number(range?.after ?? 0);
    const through =
      range?.through === null || range?.through === undefined ? undefined : Number(range.through);
    const rows = await this.database
      .select({ body: events.body })
      .from(events)
      .where(
        and(
          eq(events.runId, runId),
          sql`${events.sequence} > ${after}`,
          through !== undefined ? lte(events.sequence, through) : undefined,
          gte(events.step, fromStep),
          lte(events.step, toStep),
        ),
      )
      .orderBy(asc(events.sequence));
    return rows.map((row) => row.body as RunEvent);
  }

  async listSteps(
    runId: string,
    options: { fromStep?: number; toStep?: number } = {},
  ): Promise<StepRecord[]> {
    const rows = await this.database
      .select({
        step: steps.step,
        firstSequence: steps.firstSequence,
        lastSequence: steps.lastSequence,
        deltas: steps.deltas,
        metrics: steps.metrics,
        hasSnapshot: sql<boolean>`${steps.snapshot} IS NOT NULL`,
        committedAt: steps.committedAt,
      })
      .from(steps)
      .where(
        and(
          eq(steps.runId, runId),
          options.fromStep !== undefined ? gte(steps.step, options.fromStep) : undefined,
          options.toStep !== undefined ? lte(steps.step, options.toStep) : undefined,
        ),
      )
      .orderBy(asc(steps.step));
    return rows.map((row) => ({
      ...row,
      deltas: row.deltas as StateChange[],
      hasSnapshot: Boolean(row.hasSnapshot),
    }));
  }

  async messages(runId: string, query: MessageQuery = {}): Promise<StoredMessage[]> {
    const rows = await rowsOf<{
      sequence: number;
      step: number;
      sender: string;
      recipient: string | null;
      room: string | null;
      broadcast: boolean;
      muted: boolean;
      text: string;
    }>(
      this.database,
      sql`SELECT sequence, step, sender, recipient, room, broadcast, muted, text FROM messages
        WHERE run_id = ${runId}
        ${query.agentId !== undefined ? sql`AND (sender = ${query.agentId} OR recipient = ${query.agentId})` : sql``}
        ${query.room !== undefined ? sql`AND room = ${query.room}` : sql``}
        ${query.fromStep !== undefined ? sql`AND step >= ${query.fromStep}` : sql``}
        ${query.toStep !== undefined ? sql`AND step <= ${query.toStep}` : sql``}
        ${query.afterSequence !== undefined ? sql`AND sequence > ${query.afterSequence}` : sql``}
        ORDER BY sequence LIMIT ${query.limit ?? 1000}`,
    );
    return rows.map((row) => ({
      sequence: row.sequence,
      step: row.step,
      from: row.sender,
      ...(row.recipient !== null ? { to: row.recipient } : {}),
      ...(row.room !== null ? { room: row.room } : {}),
      ...(row.broadcast ? { broadcast: true } : {}),
      text: row.text,
      muted: row.muted,
    }));
  }

  async stateAt(runId: string, step: number): Promise<WorldSnapshot | undefined> {
    const [base] = await this.database
      .select({ step: steps.step, snapshot: steps.snapshot })
      .from(steps)
      .where(and(eq(steps.runId, runId), lte(steps.step, step), sql`${steps.snapshot} IS NOT NULL`))
      .orderBy(sql`${steps.step} DESC`)
      .limit(1);
    if (!base) return undefined;
    const later = await this.database
      .select({ step: steps.step, deltas: steps.deltas })
      .from(steps)
      .where(and(eq(steps.runId, runId), gte(steps.step, base.step + 1), lte(steps.step, step)))
      .orderBy(asc(steps.step));
    if (base.step + later.length !== step) return undefined;
    const state = structuredClone(base.snapshot) as WorldSnapshot;
    for (const row of later) {
      for (const change of row.deltas as StateChange[]) {
        if (change.agentId === undefined) state.globals[change.variable] = change.to;
        else {
          state.agents[change.agentId] ??= {};
          (state.agents[change.agentId] as Record<string, unknown>)[change.variable] = change.to;
        }
      }
    }
    return state;
  }

  async recordModelCall(
    runId: string,
    call: Omit<StoredModelCall, 'ordinal' | 'createdAt' | 'attempts'> & { attempts?: AttemptRecord[] },
  ): Promise<void> {
    const previous = this.callChains.get(runId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        await this.database.execute(sql`
          INSERT INTO model_calls (run_id, ordinal, step, agent_id, target, cassette_key, entry, attempts)
          SELECT ${runId}, coalesce(max(ordinal), 0) + 1, ${call.step}::integer, ${call.agentId}::text, ${call.target},
            ${call.entry.key}, ${JSON.stringify(call.entry)}::json, ${JSON.stringify(call.attempts ?? [])}::json
          FROM model_calls WHERE run_id = ${runId}`);
      });
    this.callChains.set(runId, next);
    try {
      await next;
    } finally {
      if (this.callChains.get(runId) === next) this.callChains.delete(runId);
    }
  }

  async modelCalls(
    runId: string,
    options: { step?: number; agentId?: string } = {},
  ): Promise<StoredModelCall[]> {
    const rows = await this.database
      .select()
      .from(modelCalls)
      .where(
        and(
          eq(modelCalls.runId, runId),
          options.step !== undefined ? eq(modelCalls.step, options.step) : undefined,
          options.agentId !== undefined ? eq(modelCalls.agentId, options.agentId) : undefined,
        ),
      )
      .orderBy(asc(modelCalls.ordinal));
    return rows.map((row) => ({
      ordinal: row.ordinal,
      step: row.step,
      agentId: row.agentId,
      target: row.target,
      entry: row.entry as CassetteEntry,
      attempts: (row.attempts ?? []) as AttemptRecord[],
      createdAt: row.createdAt,
    }));
  }

  async controlInputs(runId: string): Promise<StoredControlInput[]> {
    const rows = await this.database
      .select()
      .from(controlInputs)
      .where(eq(controlInputs.runId, runId))
      .orderBy(asc(controlInputs.ordinal));
    return rows.map((row) => ({
      ordinal: row.ordinal,
      afterStep: row.afterStep,
      input: row.input as ControlInput,
    }));
  }

  async addControlInputs(runId: string, afterStep: number, inputs: ControlInput[]): Promise<void> {
    if (inputs.length === 0) return;
    await this.database.transaction((transaction) => insertInputs(transaction, runId, afterStep, inputs));
  }

  async metricSeries(runId: string): Promise<Record<string, Array<{ step: number; value: number | null }>>> {
    const rows = await rowsOf<{ name: string; step: number; value: number | null }>(
      this.database,
      sql`SELECT name, step, value FROM metrics WHERE run_id = ${runId} ORDER BY name, step`,
    );
    const series: Record<string, Array<{ step: number; value: number | null }>> = {};
    for (const row of rows) {
      series[row.name] ??= [];
      series[row.name]?.push({ step: row.step, value: row.value });
    }
    return series;
  }

  async copyRunPrefix(parentRunId: string, childRunId: string, count: number): Promise<void> {
    await this.database.transaction(async (transaction) => {
      const [boundary] = await rowsOf<{ last_sequence: number }>(
        transaction,
        sql`SELECT last_sequence FROM steps WHERE run_id = ${parentRunId} AND step = ${count}`,
      );
      if (count > 0 && !boundary) {
        throw new SandtableError(
          'STEP_NOT_COMMITTED',
          `run ${parentRunId} has no committed step ${count} to fork from`,
          { category: 'user' },
        );
      }
      const lastSequence = boundary?.last_sequence ?? 0;
      const copies = [
        sql`INSERT INTO agents (run_id, agent_id, position, name, role, brain)
          SELECT ${childRunId}, agent_id, position, name, role, brain FROM agents WHERE run_id = ${parentRunId}
          ON CONFLICT DO NOTHING`,
        sql`INSERT INTO events (run_id, sequence, step, type, body)
          SELECT ${childRunId}, sequence, step, type, body FROM events WHERE run_id = ${parentRunId} AND sequence <= ${lastSequence}`,
        sql`INSERT INTO messages (run_id, sequence, step, sender, recipient, room, broadcast, muted, text)
          SELECT ${childRunId}, sequence, step, sender, recipient, room, broadcast, muted, text
          FROM messages WHERE run_id = ${parentRunId} AND sequence <= ${lastSequence}`,
        sql`INSERT INTO steps (run_id, step, first_sequence, last_sequence, deltas, metrics, snapshot, committed_at)
          SELECT ${childRunId}, step, first_sequence, last_sequence, deltas, metrics, snapshot, committed_at
          FROM steps WHERE run_id = ${parentRunId} AND step <= ${count}`,
        sql`INSERT INTO metrics (run_id, step, name, value)
          SELECT ${childRunId}, step, name, value FROM metrics WHERE run_id = ${parentRunId} AND step <= ${count}`,
        sql`INSERT INTO control_inputs (run_id, ordinal, after_step, kind, input)
          SELECT ${childRunId}, ordinal, after_step, kind, input FROM control_inputs
          WHERE run_id = ${parentRunId} AND after_step < ${count}`,
        sql`INSERT INTO model_calls (run_id, ordinal, step, agent_id, target, cassette_key, entry, attempts, created_at)
          SELECT ${childRunId}, row_number() OVER (ORDER BY ordinal), step, agent_id, target, cassette_key, entry, attempts, created_at
          FROM model_calls WHERE run_id = ${parentRunId} AND step <= ${count}`,
      ];
      for (const statement of copies) await transaction.execute(statement);
      const [counts] = await rowsOf<{ messages: string | number; failures: string | number | null }>(
        transaction,
        sql`SELECT (SELECT count(*) FROM messages WHERE run_id = ${childRunId}) AS messages,
          (SELECT sum((body::json->>'failures')::integer) FROM events WHERE run_id = ${childRunId} AND type = 'step-completed') AS failures`,
      );
      const [actions] = await rowsOf<{ actions: string | number | null }>(
        transaction,
        sql`SELECT sum(value::integer) AS actions FROM events, json_each_text(events.body::json->'actions')
          WHERE run_id = ${childRunId} AND type = 'step-completed'`,
      );
      await transaction
        .update(runs)
        .set({
          lastStep: count,
          lastSequence,
          totals: {
            events: lastSequence,
            messages: Number(counts?.messages ?? 0),
            actions: Number(actions?.actions ?? 0),
            failures: Number(counts?.failures ?? 0),
          },
          updatedAt: new Date(),
        })
        .where(eq(runs.id, childRunId));
    });
  }

  async addEvaluation(runId: string, input: { kind: string; body: unknown }): Promise<EvaluationRecord> {
    const [row] = await this.database
      .insert(evaluations)
      .values({ id: newId('ev'), runId, kind: input.kind, body: input.body })
      .returning();
    return row as EvaluationRecord;
  }

  async listEvaluations(runId: string): Promise<EvaluationRecord[]> {
    return (await this.database
      .select()
      .from(evaluations)
      .where(eq(evaluations.runId, runId))
      .orderBy(asc(evaluations.createdAt))) as EvaluationRecord[];
  }

  async addBrief(
    runId: string,
    input: { format: string; body: string; data?: unknown },
  ): Promise<BriefRecord> {
    const [row] = await this.database
      .insert(briefs)
      .values({ id: newId('br'), runId, format: input.format, body: input.body, data: input.data ?? null })
      .returning();
    return row as BriefRecord;
  }

  async listBriefs(runId: string): Promise<BriefRecord[]> {
    return (await this.database
      .select()
      .from(briefs)
      .where(eq(briefs.runId, runId))
      .orderBy(asc(briefs.createdAt))) as BriefRecord[];
  }
}
