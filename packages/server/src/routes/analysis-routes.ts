import {
  analyzeRun,
  type ChatRouter,
  compareRuns,
  type ExecutiveBrief,
  fillTemplate,
  loadTemplateCatalogue,
  type RunEvaluation,
  renderBriefMarkdown,
  renderBriefPdf,
  scenarioFromSentence,
  type TemplateCatalogue,
} from '@sandtable/core';
import type { RunRecord } from '@sandtable/store';
import { Hono } from 'hono';
import { z } from 'zod';
import { hasEnded, storedRunRecords } from '../execution/stored-run-records';
import { ApiError, notFound } from '../http/api-error';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';
import { runInWorkspace } from './run-access';
import { sweepRouteDocs, sweepRoutes } from './sweep-routes';

/** GET /compare */
export const CompareQuery = z.strictObject({
  runs: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+){1,9}$/, 'give 2 to 10 run ids separated by commas: ?runs=A,B')
    .describe('Run ids separated by commas; the first is the baseline.'),
});

/** POST /scenarios/from-description */
export const FromDescriptionBody = z.strictObject({
  description: z
    .string()
    .min(1)
    .max(2_000)
    .describe('A sentence, e.g. "A 3-week strike closes Rotterdam port in March".'),
  offline: z
    .boolean()
    .optional()
    .describe('Use the deterministic matcher even when the server has a model (the default without one).'),
  parameters: z
    .record(z.string().min(1), z.union([z.string(), z.number()]))
    .optional()
    .describe('Template parameter values that override what was read from the sentence.'),
});

/** Options of {@link analysisRoutes}. */
export interface AnalysisRouteOptions {
  /** A model router for the plain-English route (tier `smart`); without one the matcher is used. */
  router?: ChatRouter;
  /** The scenario templates. @defaultValue the repository's scenarios/templates */
  templateDirectory?: string;
}

/** What the analysis of a finished run gives the routes. */
interface StoredAnalysis {
  brief: ExecutiveBrief;
  markdown: string;
  evaluation: RunEvaluation;
  /** When the brief was first written (and stored). */
  createdAt: Date;
}

/** The brief stored for a run (`briefs` table, format `markdown`): the sequence it was made at. */
interface BriefData {
  lastSequence: number;
  brief: ExecutiveBrief;
}

/** The evaluation stored for a run (`evaluations` table, kind `rules`). */
interface EvaluationBody {
  lastSequence: number;
  evaluation: RunEvaluation;
}

function notEnded(record: RunRecord, what: string): ApiError {
  return new ApiError(
    404,
    'RUN_NOT_FINISHED',
    `run "${record.id}" is ${record.status} (last committed step ${record.lastStep}): its ${what} is written once it has completed, stopped or failed`,
  );
}

/**
 * Analysis over HTTP: the executive brief (JSON, Markdown, PDF), the rubric evaluation and the
 * comparison of runs — core's deterministic analysis of the run's stored records, the same as
 * `sandtable brief` / `evaluate` / `compare` give for a run folder — and scenarios from a
 * plain-English sentence. A brief and evaluation are computed once per ended run and kept in the
 * store's `briefs`/`evaluations` tables, tagged with the run's last event sequence so a run that
 * is reopened and runs on gets new ones. Sweeps ({@link sweepRoutes}) are mounted here too.
 */
export function analysisRoutes(
  context: ServerContext,
  options: AnalysisRouteOptions = {},
): Hono<ApiEnvironment> {
  const { store } = context;
  const routes = new Hono<ApiEnvironment>();
  let catalogue: Promise<TemplateCatalogue> | undefined;

  async function analysisOf(record: RunRecord): Promise<StoredAnalysis> {
    const [briefs, evaluations] = await Promise.all([
      store.listBriefs(record.id),
      store.listEvaluations(record.id),
    ]);
    const briefData = briefs
      .filter((entry) => entry.format === 'markdown')
      .map((entry) => ({
        markdown: entry.body,
        data: entry.data as BriefData | null,
        createdAt: entry.createdAt,
      }))
      .findLast((entry) => entry.data?.lastSequence === record.lastSequence);
    const evaluationBody = evaluations
      .filter((entry) => entry.kind === 'rules')
      .map((entry) => entry.body as EvaluationBody | null)
      .findLast((body) => body?.lastSequence === record.lastSequence);
    if (briefData?.data && evaluationBody)
      return {
        brief: briefData.data.brief,
        markdown: briefData.markdown,
        evaluation: evaluationBody.evaluation,
        createdAt: briefData.createdAt,
      };
    const analysis = analyzeRun(await storedRunRecords(store, record));
    const markdown = renderBriefMarkdown(analysis.brief);
    const { lastSequence } = record;
    // Two requests at once may both store one; the later read takes the last, and they are equal.
    const stored = await store.addBrief(record.id, {
      format: 'markdown',
      body: markdown,
      data: { lastSequence, brief: analysis.brief } satisfies BriefData,
    });
    await store.addEvaluation(record.id, {
      kind: 'rules',
      body: { lastSequence, evaluation: analysis.evaluation } satisfies EvaluationBody,
    });
    return { brief: analysis.brief, markdown, evaluation: analysis.evaluation, createdAt: stored.createdAt };
  }

  async function endedRun(c: Parameters<typeof runInWorkspace>[1], what: string): Promise<RunRecord> {
    const record = await runInWorkspace(context, c);
    if (!hasEnded(record)) throw notEnded(record, what);
    return record;
  }

  routes.get('/runs/:id/brief', async (c) => {
    const record = await endedRun(c, 'brief');
    const { brief, markdown, createdAt } = await analysisOf(record);
    return c.json({ runId: record.id, markdown, brief, createdAt: createdAt.toISOString() });
  });

  routes.get('/runs/:id/brief.pdf', async (c) => {
    const record = await endedRun(c, 'brief');
    const { brief } = await analysisOf(record);
    // The run's end as the creation date: the same run always gives the same bytes.
    const pdf = await renderBriefPdf(brief, record.finishedAt ? { createdAt: record.finishedAt } : {});
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${record.id}-brief.pdf"`,
    });
  });

  routes.get('/runs/:id/evaluation', async (c) => {
    const record = await endedRun(c, 'evaluation');
    const { evaluation } = await analysisOf(record);
    return c.json({ runId: record.id, evaluation });
  });

  routes.get('/compare', validate('query', CompareQuery), async (c) => {
    const ids = c.req.valid('query').runs.split(',');
    const workspaceId = c.get('workspace');
    const records = await Promise.all(
      ids.map(async (id) => {
        const record = await store.getRun(id, { workspaceId });
        if (!record) throw notFound('run', id);
        if (record.lastStep < 1)
          throw new ApiError(404, 'RUN_HAS_NO_STEPS', `run "${id}" has no committed step to compare yet`);
        return record;
      }),
    );
    const runs = await Promise.all(records.map((record) => storedRunRecords(store, record)));
    // NaN (a step one run did not reach) goes out as null: JSON has no NaN.
    return c.json(compareRuns(runs));
  });

  routes.post('/scenarios/from-description', validate('json', FromDescriptionBody), async (c) => {
    const body = c.req.valid('json');
    catalogue ??= loadTemplateCatalogue(options.templateDirectory);
    const templates = await catalogue.catch((error: unknown) => {
      catalogue = undefined;
      throw error;
    });
    const router = body.offline ? undefined : options.router;
    const result = await scenarioFromSentence(body.description, templates, router ? { router } : {});
    let { filled } = result;
    const report = [...result.report];
    if (body.parameters && Object.keys(body.parameters).length > 0) {
      const chosen = Object.fromEntries(
        filled.setParameters.map((name) => [name, filled.values[name] as string | number]),
      );
      // As `sandtable new --set`: the given values win over what was read from the sentence.
      filled = fillTemplate(
        filled.template,
        { ...chosen, ...body.parameters },
        { notes: [`From the description: "${body.description.trim().slice(0, 200)}"`] },
      );
      report.push(
        `set: ${Object.entries(body.parameters)
          .map(([name, value]) => `${name} = ${value}`)
          .join(', ')}`,
      );
    }
    return c.json({
      source: filled.text,
      method: result.method,
      template: {
        name: filled.template.name,
        category: filled.template.category,
        summary: filled.template.summary,
        values: filled.values,
        setParameters: filled.setParameters,
      },
      scenario: {
        name: filled.scenario.name,
        agents: filled.scenario.agents.length,
        steps: filled.scenario.clock.steps,
        unit: filled.scenario.clock.unit,
      },
      report,
    });
  });

  routes.route('/', sweepRoutes(context));
  return routes;
}

/** The analysis routes in `/openapi.json`. */
export const analysisRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/runs/:id/brief',
    tag: 'runs',
    summary: 'The executive brief of an ended run (rule-based, deterministic)',
    responses: {
      200: '{ runId, markdown, brief: ExecutiveBrief, createdAt }',
      404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED while the run has not ended',
    },
  },
  {
    method: 'get',
    path: '/api/runs/:id/brief.pdf',
    tag: 'runs',
    summary: 'The executive brief as a PDF',
    responses: { 200: 'application/pdf', 404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/evaluation',
    tag: 'runs',
    summary: 'The rubric evaluation of an ended run (rule-based)',
    responses: { 200: '{ runId, evaluation: RunEvaluation }', 404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED' },
  },
  {
    method: 'get',
    path: '/api/compare',
    tag: 'runs',
    summary: 'Two or more runs side by side: metrics, divergence step, end-state differences',
    query: CompareQuery,
    responses: { 200: 'RunComparison', 404: 'RUN_NOT_FOUND; RUN_HAS_NO_STEPS' },
  },
  {
    method: 'post',
    path: '/api/scenarios/from-description',
    tag: 'scenarios',
    summary: 'A valid scenario from a plain-English sentence (template matcher, or the model)',
    body: FromDescriptionBody,
    responses: {
      200: '{ source, method, template, scenario, report }',
      400: 'TEMPLATE_DESCRIPTION_EMPTY; template parameter errors',
    },
  },
  ...sweepRouteDocs,
];
