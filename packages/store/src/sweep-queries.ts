import { SandtableError } from '@sandtable/core';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { CatalogQueries, isUniqueViolation, newId } from './catalog-queries';
import type { StoreDatabase } from './database';
import { toRun } from './record-mappers';
import { runs, sweepMembers, sweeps } from './schema';
import type {
  RunInput,
  RunRecord,
  Scope,
  SweepInput,
  SweepMemberRecord,
  SweepMemberResult,
  SweepQuery,
  SweepRecord,
  SweepStatus,
  SweepUpdate,
} from './store-types';

type SweepRow = typeof sweeps.$inferSelect;

/** Row → {@link SweepRecord}. */
function toSweep(row: SweepRow): SweepRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    scenarioId: row.scenarioId,
    scenarioVersion: row.scenarioVersion,
    name: row.name,
    status: row.status as SweepStatus,
    definition: row.definition,
    totalRuns: row.totalRuns,
    parallel: row.parallel,
    reason: row.reason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

function sweepNotFound(sweepId: string): SandtableError {
  return new SandtableError('SWEEP_NOT_FOUND', `sweep "${sweepId}" was not found`, { category: 'user' });
}

/**
 * Sweeps and their members: a sweep row holds the definition the members are expanded from; a
 * `sweep_members` row ties each member index to its stored run (created with it, in one
 * transaction) and keeps the member's result once the run has ended.
 */
export class SweepQueries {
  constructor(private readonly database: StoreDatabase) {}

  async createSweep(input: SweepInput): Promise<SweepRecord> {
    const catalog = new CatalogQueries(this.database);
    const version = await catalog.getScenarioVersion(input.scenarioId, input.scenarioVersion, {
      workspaceId: input.workspaceId,
    });
    if (!version)
      throw new SandtableError(
        'SCENARIO_NOT_FOUND',
        `scenario "${input.scenarioId}" version ${input.scenarioVersion} was not found`,
        { category: 'user' },
      );
    try {
      const [row] = await this.database
        .insert(sweeps)
        .values({
          id: input.id ?? newId('sw'),
          workspaceId: input.workspaceId,
          scenarioId: input.scenarioId,
          scenarioVersion: input.scenarioVersion,
          name: input.name,
          status: 'running',
          definition: input.definition,
          totalRuns: input.totalRuns,
          parallel: input.parallel,
        })
        .returning();
      return toSweep(row!);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new SandtableError('STORE_CONFLICT', `sweep "${input.id}" already exists`, {
          category: 'user',
          cause: error,
        });
      throw error;
    }
  }

  async getSweep(sweepId: string, scope: Scope = {}): Promise<SweepRecord | undefined> {
    const [row] = await this.database
      .select()
      .from(sweeps)
      .where(
        and(
          eq(sweeps.id, sweepId),
          scope.workspaceId ? eq(sweeps.workspaceId, scope.workspaceId) : undefined,
        ),
      );
    return row ? toSweep(row) : undefined;
  }

  async listSweeps(query: SweepQuery = {}): Promise<SweepRecord[]> {
    const statuses = query.status === undefined ? undefined : ([] as string[]).concat(query.status);
    const rows = await this.database
      .select()
      .from(sweeps)
      .where(
        and(
          query.workspaceId ? eq(sweeps.workspaceId, query.workspaceId) : undefined,
          statuses ? inArray(sweeps.status, statuses) : undefined,
        ),
      )
      .orderBy(desc(sweeps.createdAt), desc(sweeps.id))
      .limit(query.limit ?? 100);
    return rows.map(toSweep);
  }

  async updateSweep(sweepId: string, update: SweepUpdate): Promise<SweepRecord> {
    const [row] = await this.database
      .update(sweeps)
      .set({
        updatedAt: new Date(),
        ...(update.status ? { status: update.status } : {}),
        ...(update.reason !== undefined ? { reason: update.reason } : {}),
        ...(update.finishedAt ? { finishedAt: update.finishedAt } : {}),
      })
      .where(eq(sweeps.id, sweepId))
      .returning();
    if (!row) throw sweepNotFound(sweepId);
    return toSweep(row);
  }

  async addSweepMember(sweepId: string, member: number, input: RunInput): Promise<RunRecord> {
    const existing = await this.memberRun(sweepId, member);
    if (existing) return existing;
    const sweep = await this.getSweep(sweepId);
    if (!sweep) throw sweepNotFound(sweepId);
    try {
      return await this.database.transaction(async (transaction) => {
        const run = await new CatalogQueries(transaction as unknown as StoreDatabase).createRun(input);
        await transaction.insert(sweepMembers).values({ sweepId, member, runId: run.id });
        return run;
      });
    } catch (error) {
      // Another caller created the member first: its run is the member's (this one rolled back).
      if (isUniqueViolation(error)) {
        const created = await this.memberRun(sweepId, member);
        if (created) return created;
      }
      throw error;
    }
  }

  private async memberRun(sweepId: string, member: number): Promise<RunRecord | undefined> {
    const [row] = await this.database
      .select({ run: runs })
      .from(sweepMembers)
      .innerJoin(runs, eq(runs.id, sweepMembers.runId))
      .where(and(eq(sweepMembers.sweepId, sweepId), eq(sweepMembers.member, member)));
    return row ? toRun(row.run) : undefined;
  }

  async listSweepMembers(sweepId: string, scope: Scope = {}): Promise<SweepMemberRecord[]> {
    const rows = await this.database
      .select({ member: sweepMembers.member, result: sweepMembers.result, run: runs })
      .from(sweepMembers)
      .innerJoin(runs, eq(runs.id, sweepMembers.runId))
      .where(
        and(
          eq(sweepMembers.sweepId, sweepId),
          scope.workspaceId ? eq(runs.workspaceId, scope.workspaceId) : undefined,
        ),
      )
      .orderBy(asc(sweepMembers.member));
    return rows.map((row) => ({
      sweepId,
      member: row.member,
      run: toRun(row.run),
      result: (row.result as SweepMemberResult | null) ?? null,
    }));
  }

  async setSweepMemberResult(sweepId: string, member: number, result: SweepMemberResult): Promise<void> {
    const updated = await this.database
      .update(sweepMembers)
      .set({ result })
      .where(and(eq(sweepMembers.sweepId, sweepId), eq(sweepMembers.member, member)))
      .returning({ member: sweepMembers.member });
    if (updated.length === 0)
      throw new SandtableError('SWEEP_NOT_FOUND', `sweep "${sweepId}" has no member ${member}`, {
        category: 'user',
      });
  }
}
