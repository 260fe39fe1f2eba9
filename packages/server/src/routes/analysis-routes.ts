import {
  analyzeRun,
  analyzeRunWithModel,
  type ChatRouter,
  compareRuns,
  type ExecutiveBrief,
  fillTemplate,
  loadTemplateCatalogue,
  type RunEvaluation,
  type RunRecords,
  renderBriefMarkdown,
  renderBriefPdf,
  type Scenario,
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

/** POST /runs/:id/brief */
export const BriefWriteBody = z.strictObject({
  mode: z
    .enum(['model', 'rules'])
    .default('model')
    .describe(
      'model: the configured model writes the brief and scores the rubric; rules: the deterministic brief.',
    ),
  tier: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      "Tier or endpoint of the server's models for both calls (default: the scenario's brief.model and evaluation.model, else smart).",
    ),
  rewrite: z
    .boolean()
    .optional()
    .describe('Ask the model again even when a model-written brief of the run as it is now is stored.'),
});

/** GET /runs/:id/brief, /brief.pdf, /evaluation */
export const BriefQuery = z.strictObject({
  mode: z
    .enum(['model', 'rules'])
    .optional()
    .describe(
      'rules: the deterministic one; model: the stored model-written one (404 BRIEF_NOT_WRITTEN until POST wrote it). Default: the model-written one when stored, else the deterministic one.',
    ),
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

/** A model-written analysis as stored: which tier wrote it, and what fell back. */
interface StoredModelAnalysis extends StoredAnalysis {
  tier: string | null;
  notes: string[];
}

/**
 * The brief stored for a run (`briefs` table, format `markdown`): the sequence it was made at;
 * `mode: 'model'` marks a model-written one (the deterministic ones carry no mode).
 */
interface BriefData {
  lastSequence: number;
  brief: ExecutiveBrief;
  mode?: 'model';
  /** The tier asked for (null: the scenario's own). */
  tier?: string | null;
  notes?: string[];
}

/** The evaluation stored for a run (`evaluations` table, kind `rules`, or `model` with a model brief). */
interface EvaluationBody {
  lastSequence: number;
  evaluation: RunEvaluation;
}

/** The scenario with both analysis calls on one tier (the request's `tier`). */
function onTier(scenario: Scenario, tier: string | undefined): Scenario {
  if (tier === undefined) return scenario;
  return {
    ...scenario,
    brief: { thresholds: {}, ...scenario.brief, model: tier },
    ...(scenario.evaluation ? { evaluation: { ...scenario.evaluation, model: tier } } : {}),
  };
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
 * is reopened and runs on gets new ones. `POST /runs/:id/brief { mode: 'model' }` has the server's
 * configured models (the runs' fair-share gate) write the brief and score the rubric, as
 * `sandtable brief --model` does; that one is stored beside the deterministic one and is what the
 * GETs serve from then on (`?mode=rules` still gives the other). Its model calls are not recorded
 * as the run's. Sweeps ({@link sweepRoutes}) are mounted here too.
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
      .filter((entry) => entry.format === 'markdown' && (entry.data as BriefData | null)?.mode !== 'model')
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

  /** The model-written brief and evaluation stored for the run as it is now, if any. */
  async function storedModelAnalysis(record: RunRecord): Promise<StoredModelAnalysis | undefined> {
    const [briefs, evaluations] = await Promise.all([
      store.listBriefs(record.id),
      store.listEvaluations(record.id),
    ]);
    const stored = briefs.findLast((entry) => {
      const data = entry.data as BriefData | null;
      return (
        entry.format === 'markdown' && data?.mode === 'model' && data.lastSequence === record.lastSequence
      );
    });
    const evaluation = evaluations
      .filter((entry) => entry.kind === 'model')
      .map((entry) => entry.body as EvaluationBody | null)
      .findLast((body) => body?.lastSequence === record.lastSequence);
    if (!stored || !evaluation) return undefined;
    const data = stored.data as BriefData;
    return {
      brief: data.brief,
      markdown: stored.body,
      evaluation: evaluation.evaluation,
      createdAt: stored.createdAt,
      tier: data.tier ?? null,
      notes: data.notes ?? [],
    };
  }

  /** Model briefs being written, by run, sequence and tier: a second request waits for the first. */
  const writing = new Map<string, Promise<StoredModelAnalysis>>();

  /**
   * Has the server's models write the brief and score the rubric (core's `analyzeRunWithModel`,
   * its repair-and-retry included) and stores both with the run.
   * @throws {ApiError} 409 MODEL_NOT_CONFIGURED; 422 MODEL_TIER_UNKNOWN; 502 MODEL_BRIEF_FAILED
   * when no valid brief came back (nothing is stored then)
   */
  async function writeModelAnalysis(
    record: RunRecord,
    tier: string | undefined,
  ): Promise<StoredModelAnalysis> {
    const router = await context.runs.modelRouter();
    if (!router) {
      throw new ApiError(
        409,
        'MODEL_NOT_CONFIGURED',
        'no model is configured on this server (sandtable.config.yaml, SANDTABLE_MODEL_URL or a local model server); the deterministic brief is at GET /api/runs/:id/brief',
      );
    }
    const records = await storedRunRecords(store, record);
    const scenario = onTier(records.scenario, tier);
    const targets = [
      ...new Set([
        scenario.brief?.model ?? 'smart',
        ...(scenario.evaluation ? [scenario.evaluation.model] : []),
      ]),
    ];
    const unknown = targets.filter((target) => !router.hasTarget(target));
    if (unknown.length > 0) {
      throw new ApiError(
        422,
        'MODEL_TIER_UNKNOWN',
        `the server's models have no tier or endpoint ${unknown.map((name) => `"${name}"`).join(', ')}${tier === undefined ? " (the scenario's brief.model / evaluation.model)" : ''}; name another with { "tier": … }`,
        { details: { unknown } },
      );
    }
    const analysis = await analyzeRunWithModel({ ...records, scenario } satisfies RunRecords, { router });
    if (analysis.brief.source !== 'model') {
      throw new ApiError(
        502,
        'MODEL_BRIEF_FAILED',
        `the model gave no valid brief: ${analysis.notes.join('; ')}`,
        { details: { notes: analysis.notes } },
      );
    }
    const markdown = renderBriefMarkdown(analysis.brief);
    const { lastSequence } = record;
    const stored = await store.addBrief(record.id, {
      format: 'markdown',
      body: markdown,
      data: {
        lastSequence,
        brief: analysis.brief,
        mode: 'model',
        tier: tier ?? null,
        notes: analysis.notes,
      } satisfies BriefData,
    });
    await store.addEvaluation(record.id, {
      kind: 'model',
      body: { lastSequence, evaluation: analysis.evaluation } satisfies EvaluationBody,
    });
    return {
      brief: analysis.brief,
      markdown,
      evaluation: analysis.evaluation,
      createdAt: stored.createdAt,
      tier: tier ?? null,
      notes: analysis.notes,
    };
  }

  /** The analysis a GET asks for with `?mode=`. */
  async function requestedAnalysis(
    record: RunRecord,
    mode: 'model' | 'rules' | undefined,
  ): Promise<StoredAnalysis> {
    if (mode === 'rules') return analysisOf(record);
    const written = await storedModelAnalysis(record);
    if (written) return written;
    if (mode === 'model') {
      throw new ApiError(
        404,
        'BRIEF_NOT_WRITTEN',
        `no model-written brief of run "${record.id}" is stored for its last step; POST /api/runs/${record.id}/brief { "mode": "model" } writes one`,
      );
    }
    return analysisOf(record);
  }

  async function endedRun(c: Parameters<typeof runInWorkspace>[1], what: string): Promise<RunRecord> {
    const record = await runInWorkspace(context, c);
    if (!hasEnded(record)) throw notEnded(record, what);
    return record;
  }

  routes.get('/runs/:id/brief', validate('query', BriefQuery), async (c) => {
    const record = await endedRun(c, 'brief');
    const { brief, markdown, createdAt } = await requestedAnalysis(record, c.req.valid('query').mode);
    return c.json({ runId: record.id, markdown, brief, createdAt: createdAt.toISOString() });
  });

  routes.post('/runs/:id/brief', validate('json', BriefWriteBody), async (c) => {
    const record = await endedRun(c, 'brief');
    const body = c.req.valid('json');
    if (body.mode === 'rules') {
      const { brief, markdown, evaluation, createdAt } = await analysisOf(record);
      return c.json({
        runId: record.id,
        markdown,
        brief,
        evaluation,
        notes: [],
        createdAt: createdAt.toISOString(),
      });
    }
    const stored = body.rewrite ? undefined : await storedModelAnalysis(record);
    const reuse = stored && (body.tier === undefined || stored.tier === body.tier);
    let written: StoredModelAnalysis;
    if (stored && reuse) written = stored;
    else {
      const key = `${record.id}\u0000${record.lastSequence}\u0000${body.tier ?? ''}`;
      let pending = writing.get(key);
      if (!pending) {
        pending = writeModelAnalysis(record, body.tier).finally(() => writing.delete(key));
        writing.set(key, pending);
      }
      written = await pending;
    }
    return c.json(
      {
        runId: record.id,
        markdown: written.markdown,
        brief: written.brief,
        evaluation: written.evaluation,
        tier: written.tier,
        notes: written.notes,
        createdAt: written.createdAt.toISOString(),
      },
      reuse ? 200 : 201,
    );
  });

  routes.get('/runs/:id/brief.pdf', validate('query', BriefQuery), async (c) => {
    const record = await endedRun(c, 'brief');
    const { brief } = await requestedAnalysis(record, c.req.valid('query').mode);
    // The run's end as the creation date: the same run always gives the same bytes.
    const pdf = await renderBriefPdf(brief, record.finishedAt ? { createdAt: record.finishedAt } : {});
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${record.id}-brief.pdf"`,
    });
  });

  routes.get('/runs/:id/evaluation', validate('query', BriefQuery), async (c) => {
    const record = await endedRun(c, 'evaluation');
    const { evaluation } = await requestedAnalysis(record, c.req.valid('query').mode);
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
    summary:
      'The executive brief of an ended run: the model-written one when stored (POST), else the deterministic one',
    query: BriefQuery,
    responses: {
      200: '{ runId, markdown, brief: ExecutiveBrief, createdAt }',
      404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED while the run has not ended; BRIEF_NOT_WRITTEN (?mode=model)',
    },
  },
  {
    method: 'post',
    path: '/api/runs/:id/brief',
    tag: 'runs',
    summary: "Write the brief and the evaluation with the server's models, and store them with the run",
    body: BriefWriteBody,
    responses: {
      200: '{ runId, markdown, brief, evaluation, tier, notes, createdAt } — the stored one',
      201: 'the same, just written',
      404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED',
      409: 'MODEL_NOT_CONFIGURED',
      422: 'MODEL_TIER_UNKNOWN',
      502: 'MODEL_BRIEF_FAILED (no valid reply after the repair attempts; nothing stored)',
    },
  },
  {
    method: 'get',
    path: '/api/runs/:id/brief.pdf',
    tag: 'runs',
    summary: 'The executive brief as a PDF (the same choice as GET /brief)',
    query: BriefQuery,
    responses: { 200: 'application/pdf', 404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED; BRIEF_NOT_WRITTEN' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/evaluation',
    tag: 'runs',
    summary: 'The rubric evaluation of an ended run (the model one stored with a model brief, else rules)',
    query: BriefQuery,
    responses: {
      200: '{ runId, evaluation: RunEvaluation }',
      404: 'RUN_NOT_FOUND; RUN_NOT_FINISHED; BRIEF_NOT_WRITTEN',
    },
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
