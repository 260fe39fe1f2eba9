import type { RunRecord } from '@sandtable/store';
import type { Context } from 'hono';
import { notFound } from '../http/api-error';
import type { ApiEnvironment, ServerContext } from '../http/server-context';

/**
 * The run named by the `:id` path parameter, in the caller's workspace.
 * @throws {ApiError} 404 RUN_NOT_FOUND — also for another workspace's run, which is not told apart
 */
export async function runInWorkspace(context: ServerContext, c: Context<ApiEnvironment>): Promise<RunRecord> {
  const id = c.req.param('id') as string;
  const run = await context.store.getRun(id, { workspaceId: c.get('workspace') });
  if (!run) throw notFound('run', id);
  return run;
}
