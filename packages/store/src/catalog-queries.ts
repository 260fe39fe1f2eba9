import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SandtableError } from '@sandtable/core';
import { and, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { StoreDatabase } from './database';
import { toRun, toScenario, toScenarioVersion, toToken, toWorkspace } from './record-mappers';
import { apiTokens, runs, scenarios, scenarioVersions, sweepMembers, workspaces } from './schema';
import type {
  ApiToken,
  RunInput,
  RunQuery,
  RunRecord,
  RunUpdate,
  ScenarioInput,
  ScenarioRecord,
  ScenarioVersion,
  Scope,
  Workspace,
} from './store-types';

/** The SHA-256 of a token secret: what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new id with a readable prefix (`ws_`, `sc_`, `tok_`, `run_`…). */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

function notFound(code: string, what: string): SandtableError {
  return new SandtableError(code, `${what} was not found`, { category: 'user' });
}

/** True for a unique-violation from either driver. */
export function isUniqueViolation(error: unknown): boolean {
  let current = error as { code?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.code === '23505') return true;
    current = current.cause as typeof current;
  }
  return false;
}

/** Workspaces, tokens, scenarios and runs: the catalogue half of the store. */
export class CatalogQueries {
  constructor(private readonly database: StoreDatabase) {}

  async createWorkspace(input: { name: string; id?: string }): Promise<Workspace> {
    try {
      const [row] = await this.database
        .insert(workspaces)
        .values({ id: input.id ?? newId('ws'), name: input.name })
        .returning();
      return toWorkspace(row!);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new SandtableError('STORE_CONFLICT', `workspace "${input.id}" already exists`, {
          category: 'user',
          cause: error,
        });
      throw error;
    }
  }

  async defaultWorkspace(): Promise<Workspace> {
    await this.database
      .insert(workspaces)
      .values({ id: 'default', name: 'Default' })
      .onConflictDoNothing({ target: workspaces.id });
    return (await this.getWorkspace('default'))!;
  }

  async getWorkspace(id: string): Promise<Workspace | undefined> {
    const [row] = await this.database.select().from(workspaces).where(eq(workspaces.id, id));
    return row ? toWorkspace(row) : undefined;
  }

  async listWorkspaces(): Promise<Workspace[]> {
    return (await this.database.select().from(workspaces).orderBy(workspaces.createdAt)).map(toWorkspace);
  }

  async createToken(
    workspaceId: string,
    options: { name?: string } = {},
  ): Promise<{ token: ApiToken; secret: string }> {
    if (!(await this.getWorkspace(workspaceId)))
      throw notFound('WORKSPACE_NOT_FOUND', `workspace "${workspaceId}"`);
    const secret = `st_${randomBytes(24).toString('base64url')}`;
    const [row] = await this.database
      .insert(apiTokens)
      .values({
        id: newId('tok'),
        workspaceId,
        name: options.name ?? 'token',
        secretHash: hashSecret(secret),
      })
      .returning();
    return { token: toToken(row!), secret };
  }

  async verifyToken(secret: string): Promise<{ workspace: Workspace; token: ApiToken } | undefined> {
    if (typeof secret !== 'string' || !secret.startsWith('st_')) return undefined;
    const [found] = await this.database
      .select({ token: apiTokens, workspace: workspaces })
      .from(apiTokens)
      .innerJoin(workspaces, eq(workspaces.id, apiTokens.workspaceId))
      .where(and(eq(apiTokens.secretHash, hashSecret(secret)), isNull(apiTokens.revokedAt)));
    if (!found) return undefined;
    await this.database
      .update(apiTokens)
      .set({ lastUsedAt: new Date() })
      .where(eq(apiTokens.id, found.token.id));
    return { workspace: toWorkspace(found.workspace), token: toToken(found.token) };
  }

  async listTokens(workspaceId: string): Promise<ApiToken[]> {
    return (
      await this.database
        .select()
        .from(apiTokens)
        .where(eq(apiTokens.workspaceId, workspaceId))
        .orderBy(apiTokens.createdAt)
    ).map(toToken);
  }

  async revokeToken(tokenId: string, scope: Scope = {}): Promise<boolean> {
    const rows = await this.database
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiTokens.id, tokenId),
          isNull(apiTokens.revokedAt),
          scope.workspaceId ? eq(apiTokens.workspaceId, scope.workspaceId) : undefined,
        ),
      )
      .returning({ id: apiTokens.id });
    return rows.length > 0;
  }

  // ---- scenarios ---------------------------------------------------------------------------

  async createScenario(
    workspaceId: string,
    input: ScenarioInput,
    clonedFrom?: { id: string; version: number },
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }> {
    if (!(await this.getWorkspace(workspaceId)))
      throw notFound('WORKSPACE_NOT_FOUND', `workspace "${workspaceId}"`);
    const id = newId('sc');
    return this.database.transaction(async (transaction) => {
      const [scenario] = await transaction
        .insert(scenarios)
        .values({
          id,
          workspaceId,
          name: input.name,
          description: input.description ?? '',
          latestVersion: 1,
          clonedFromId: clonedFrom?.id ?? null,
          clonedFromVersion: clonedFrom?.version ?? null,
        })
        .returning();
      const [version] = await transaction
        .insert(scenarioVersions)
        .values({
          scenarioId: id,
          version: 1,
          format: input.format ?? 'yaml',
          source: input.source,
          sourceSha256: hashSecret(input.source),
          origin: input.origin ?? null,
        })
        .returning();
      return { scenario: toScenario(scenario!), version: toScenarioVersion(version!) };
    });
  }

  async addScenarioVersion(
    scenarioId: string,
    input: Omit<ScenarioInput, 'name'> & { name?: string },
    scope: Scope = {},
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }> {
    return this.database.transaction(async (transaction) => {
      const [current] = await transaction
        .select()
        .from(scenarios)
        .where(and(eq(scenarios.id, scenarioId), isNull(scenarios.deletedAt), this.inScope(scope)))
        .for('update');
      if (!current) throw notFound('SCENARIO_NOT_FOUND', `scenario "${scenarioId}"`);
      const [latest] = await transaction
        .select()
        .from(scenarioVersions)
        .where(
          and(
            eq(scenarioVersions.scenarioId, scenarioId),
            eq(scenarioVersions.version, current.latestVersion),
          ),
        );
      const format = input.format ?? 'yaml';
      if (
        latest &&
        latest.source === input.source &&
        latest.format === format &&
        latest.origin === (input.origin ?? null)
      )
        return { scenario: toScenario(current), version: toScenarioVersion(latest) };
      const next = current.latestVersion + 1;
      const [version] = await transaction
        .insert(scenarioVersions)
        .values({
          scenarioId,
          version: next,
          format,
          source: input.source,
          sourceSha256: hashSecret(input.source),
          origin: input.origin ?? null,
        })
        .returning();
      const [scenario] = await transaction
        .update(scenarios)
        .set({
          latestVersion: next,
          updatedAt: new Date(),
          ...(input.name ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
        })
        .where(eq(scenarios.id, scenarioId))
        .returning();
      return { scenario: toScenario(scenario!), version: toScenarioVersion(version!) };
    });
  }

  async upsertScenarioByName(
    workspaceId: string,
    input: ScenarioInput,
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }> {
    const [existing] = await this.database
      .select()
      .from(scenarios)
      .where(
        and(
          eq(scenarios.workspaceId, workspaceId),
          eq(scenarios.name, input.name),
          isNull(scenarios.deletedAt),
        ),
      )
      .orderBy(scenarios.createdAt)
      .limit(1);
    if (!existing) return this.createScenario(workspaceId, input);
    return this.addScenarioVersion(existing.id, input, { workspaceId });
  }

  private inScope(scope: Scope): SQL | undefined {
    return scope.workspaceId ? eq(scenarios.workspaceId, scope.workspaceId) : undefined;
  }

  async getScenario(scenarioId: string, scope: Scope = {}): Promise<ScenarioRecord | undefined> {
    const [row] = await this.database
      .select()
      .from(scenarios)
      .where(and(eq(scenarios.id, scenarioId), isNull(scenarios.deletedAt), this.inScope(scope)));
    return row ? toScenario(row) : undefined;
  }

  async listScenarios(workspaceId: string): Promise<ScenarioRecord[]> {
    return (
      await this.database
        .select()
        .from(scenarios)
        .where(and(eq(scenarios.workspaceId, workspaceId), isNull(scenarios.deletedAt)))
        .orderBy(desc(scenarios.updatedAt))
    ).map(toScenario);
  }

  async listScenarioVersions(scenarioId: string, scope: Scope = {}): Promise<ScenarioVersion[]> {
    if (!(await this.getScenario(scenarioId, scope))) return [];
    return (
      await this.database
        .select()
        .from(scenarioVersions)
        .where(eq(scenarioVersions.scenarioId, scenarioId))
        .orderBy(scenarioVersions.version)
    ).map(toScenarioVersion);
  }

  async getScenarioVersion(
    scenarioId: string,
    version?: number,
    scope: Scope = {},
  ): Promise<ScenarioVersion | undefined> {
    // Runs keep pointing at versions of deleted scenarios, so this read ignores `deletedAt`.
    const [scenario] = await this.database
      .select()
      .from(scenarios)
      .where(and(eq(scenarios.id, scenarioId), this.inScope(scope)));
    if (!scenario) return undefined;
    const [row] = await this.database
      .select()
      .from(scenarioVersions)
      .where(
        and(
          eq(scenarioVersions.scenarioId, scenarioId),
          eq(scenarioVersions.version, version ?? scenario.latestVersion),
        ),
      );
    return row ? toScenarioVersion(row) : undefined;
  }

  async cloneScenario(
    scenarioId: string,
    options: { name: string; version?: number; workspaceId?: string },
    scope: Scope = {},
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }> {
    const source = await this.getScenario(scenarioId, scope);
    const version = source ? await this.getScenarioVersion(scenarioId, options.version, scope) : undefined;
    if (!source || !version)
      throw notFound(
        'SCENARIO_NOT_FOUND',
        `scenario "${scenarioId}"${options.version ? ` version ${options.version}` : ''}`,
      );
    return this.createScenario(
      options.workspaceId ?? source.workspaceId,
      {
        name: options.name,
        description: source.description,
        source: version.source,
        format: version.format,
        ...(version.origin ? { origin: version.origin } : {}),
      },
      { id: scenarioId, version: version.version },
    );
  }

  async deleteScenario(scenarioId: string, scope: Scope = {}): Promise<boolean> {
    const rows = await this.database
      .update(scenarios)
      .set({ deletedAt: new Date() })
      .where(and(eq(scenarios.id, scenarioId), isNull(scenarios.deletedAt), this.inScope(scope)))
      .returning({ id: scenarios.id });
    return rows.length > 0;
  }

  // ---- runs --------------------------------------------------------------------------------

  async createRun(input: RunInput): Promise<RunRecord> {
    const version = await this.getScenarioVersion(input.scenarioId, input.scenarioVersion, {
      workspaceId: input.workspaceId,
    });
    if (!version)
      throw notFound('SCENARIO_NOT_FOUND', `scenario "${input.scenarioId}" version ${input.scenarioVersion}`);
    const scenario = await this.getScenario(input.scenarioId);
    try {
      const [row] = await this.database
        .insert(runs)
        .values({
          id: input.id ?? newId('run'),
          workspaceId: input.workspaceId,
          scenarioId: input.scenarioId,
          scenarioVersion: input.scenarioVersion,
          name: input.name ?? scenario?.name ?? input.scenarioId,
          status: input.status ?? 'created',
          seed: input.seed,
          parameters: input.parameters ?? {},
          options: input.options ?? {},
          parentRunId: input.parentRunId ?? null,
          forkStep: input.forkStep ?? null,
          totalSteps: input.totalSteps,
          totals: {},
        })
        .returning();
      return toRun(row!);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new SandtableError('STORE_CONFLICT', `run "${input.id}" already exists`, {
          category: 'user',
          cause: error,
        });
      throw error;
    }
  }

  async getRun(runId: string, scope: Scope = {}): Promise<RunRecord | undefined> {
    const [row] = await this.database
      .select()
      .from(runs)
      .where(
        and(eq(runs.id, runId), scope.workspaceId ? eq(runs.workspaceId, scope.workspaceId) : undefined),
      );
    return row ? toRun(row) : undefined;
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const statuses = query.status === undefined ? undefined : ([] as string[]).concat(query.status);
    const rows = await this.database
      .select()
      .from(runs)
      .where(
        and(
          query.workspaceId ? eq(runs.workspaceId, query.workspaceId) : undefined,
          statuses ? inArray(runs.status, statuses) : undefined,
          query.scenarioId ? eq(runs.scenarioId, query.scenarioId) : undefined,
          query.parentRunId ? eq(runs.parentRunId, query.parentRunId) : undefined,
          query.sweepId
            ? inArray(
                runs.id,
                this.database
                  .select({ runId: sweepMembers.runId })
                  .from(sweepMembers)
                  .where(eq(sweepMembers.sweepId, query.sweepId)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(query.limit ?? 100)
      .offset(query.offset ?? 0);
    return rows.map(toRun);
  }

  async updateRun(runId: string, update: RunUpdate): Promise<RunRecord> {
    const [row] = await this.database
      .update(runs)
      .set({
        updatedAt: new Date(),
        ...(update.status ? { status: update.status } : {}),
        ...(update.startedAt ? { startedAt: update.startedAt } : {}),
        ...(update.finishedAt ? { finishedAt: update.finishedAt } : {}),
        ...(update.outcome !== undefined ? { outcome: update.outcome } : {}),
        ...(update.reason !== undefined ? { reason: update.reason } : {}),
        ...(update.error !== undefined ? { error: update.error } : {}),
      })
      .where(eq(runs.id, runId))
      .returning();
    if (!row) throw notFound('RUN_NOT_FOUND', `run "${runId}"`);
    return toRun(row);
  }
}
