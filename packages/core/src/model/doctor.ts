import { embeddingRequest, embeddingTier } from './embeddings';
import { parseJsonReply, parseToolArguments } from './json-reply';
import { createProvider, type EnvironmentVariables, noModelNotice } from './model-config';
import type { EndpointConfig, ModelConfig } from './model-config-schema';
import { redactUrl } from './redact';
import { checkReply } from './reply-check';
import type { TierChain } from './router-types';
import { type ChatRequest, type ModelProvider, ProviderError } from './types';

/** The result of one check. */
export interface DoctorCheck {
  status: 'ok' | 'failed' | 'skipped';
  /** What went wrong, or why it was skipped. */
  detail?: string;
  /** The provider error code, when the call itself failed. */
  errorCode?: string;
  latencyMs?: number;
}

/** What the doctor found out about one endpoint. */
export interface EndpointDiagnosis {
  id: string;
  provider: 'openai' | 'anthropic';
  /** Redacted base URL (the provider's default when the configuration gives none). */
  baseUrl: string;
  model: string;
  /** The variable the key is read from, and whether it is set. */
  apiKeyEnv?: string;
  apiKeyMissing: boolean;
  /** The server answered at all. */
  reachable: boolean;
  /** Models the server lists, when it lists any. */
  models?: string[];
  /** Whether the configured model is among them (undefined when the server lists none). */
  modelListed?: boolean;
  /** The first blocking error. */
  error?: { code: string; message: string };
  toolCalling: DoctorCheck;
  jsonMode: DoctorCheck;
  /**
   * Does `POST /embeddings` answer with vectors: checked for endpoints of the `embedding` tier
   * (endpoints only in that tier skip the chat checks).
   */
  embeddings?: DoctorCheck;
  /** Latency of the first chat call. */
  latencyMs?: number;
}

/** The doctor's report. */
export interface DoctorReport {
  configured: boolean;
  /** Where the configuration came from. */
  source?: string;
  /** What to tell the user (e.g. how to configure a model). */
  notice?: string;
  tiers: Record<string, TierChain>;
  endpoints: EndpointDiagnosis[];
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** Where keys are read from. @defaultValue `process.env` */
  environment?: EnvironmentVariables;
  /** A notice from {@link resolveModelSetup} to carry into the report. */
  notice?: string;
  /** Timeout of each check, in milliseconds. @defaultValue 30000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Makes the provider of an endpoint. @defaultValue {@link createProvider} */
  createProvider?: (endpoint: EndpointConfig, environment: EnvironmentVariables) => ModelProvider;
}

const statusTool = {
  type: 'function' as const,
  function: {
    name: 'report_status',
    description: 'Report your status.',
    parameters: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] } },
      required: ['status'],
    },
  },
};

/** Why the chat checks of an endpoint that only serves the embedding tier are skipped. */
const embeddingOnly = 'an embedding endpoint (only in the embedding tier)';

/**
 * Checks every configured endpoint, all at once: does it answer, which models does it list, does
 * tool calling work (a tiny required tool call), does JSON mode work (a tiny JSON-schema answer),
 * do embeddings work (endpoints of the `embedding` tier: two texts, two vectors), and how long a
 * call takes. Never throws for endpoint failures: they are in the report.
 */
export async function runDoctor(
  config: ModelConfig | undefined,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  if (!config || config.endpoints.length === 0) {
    return { configured: false, notice: options.notice ?? noModelNotice(), tiers: {}, endpoints: [] };
  }
  const environment = options.environment ?? process.env;
  const make = options.createProvider ?? createProvider;
  const inTiers = (id: string, embedding: boolean) =>
    Object.entries(config.tiers).some(
      ([tier, chain]) => (tier === embeddingTier) === embedding && chain.flat().includes(id),
    );
  const endpoints = await Promise.all(
    config.endpoints.map((endpoint) =>
      diagnose(endpoint, make(endpoint, environment), environment, options, {
        embeddings: inTiers(endpoint.id, true),
        chat: inTiers(endpoint.id, false) || !inTiers(endpoint.id, true),
      }),
    ),
  );
  return {
    configured: true,
    source: config.source,
    ...(options.notice ? { notice: options.notice } : {}),
    tiers: config.tiers,
    endpoints,
  };
}

async function diagnose(
  endpoint: EndpointConfig,
  provider: ModelProvider,
  environment: EnvironmentVariables,
  options: DoctorOptions,
  uses: { chat: boolean; embeddings: boolean },
): Promise<EndpointDiagnosis> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const defaultUrl =
    endpoint.provider === 'anthropic' ? 'https://api.anthropic.com' : 'https://api.openai.com/v1';
  const diagnosis: EndpointDiagnosis = {
    id: endpoint.id,
    provider: endpoint.provider,
    baseUrl: redactUrl(endpoint.baseUrl ?? defaultUrl),
    model: endpoint.model,
    apiKeyMissing: endpoint.apiKeyEnv !== undefined && !environment[endpoint.apiKeyEnv],
    reachable: false,
    toolCalling: { status: 'skipped' },
    jsonMode: { status: 'skipped' },
    ...(endpoint.apiKeyEnv ? { apiKeyEnv: endpoint.apiKeyEnv } : {}),
  };
  const signal = (): AbortSignal =>
    options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
  if (provider.listModels) {
    try {
      diagnosis.models = await provider.listModels(signal());
      diagnosis.reachable = true;
      diagnosis.modelListed =
        diagnosis.models.length === 0 ? undefined : diagnosis.models.includes(endpoint.model);
    } catch (error) {
      const failure = asProviderError(error);
      // Some servers have no model list; anything that answered over HTTP is reachable.
      diagnosis.reachable = failure.status !== undefined;
      if (failure.code !== 'PROVIDER_NOT_FOUND') {
        diagnosis.error = { code: failure.code, message: failure.message };
        const reason = diagnosis.reachable
          ? 'the endpoint refused the model list'
          : 'the endpoint does not answer';
        diagnosis.toolCalling = { status: 'skipped', detail: reason };
        diagnosis.jsonMode = { status: 'skipped', detail: reason };
        if (uses.embeddings) diagnosis.embeddings = { status: 'skipped', detail: reason };
        return diagnosis;
      }
    }
  }
  if (uses.embeddings) {
    diagnosis.embeddings = await check(async () => {
      const response = await provider.chat({
        ...embeddingRequest(['connectivity test', 'a second text']),
        model: endpoint.model,
        signal: signal(),
      });
      diagnosis.reachable = true;
      diagnosis.latencyMs ??= response.latencyMs;
      return checkReply(embeddingRequest(['', '']), response, endpoint.id)?.message;
    });
  }
  if (!uses.chat) {
    diagnosis.toolCalling = { status: 'skipped', detail: embeddingOnly };
    diagnosis.jsonMode = { status: 'skipped', detail: embeddingOnly };
    if (diagnosis.embeddings?.errorCode && !diagnosis.error)
      diagnosis.error = { code: diagnosis.embeddings.errorCode, message: diagnosis.embeddings.detail ?? '' };
    return diagnosis;
  }
  const base: ChatRequest = { model: endpoint.model, messages: [], temperature: 0, maxTokens: 200 };
  diagnosis.toolCalling = await check(async () => {
    const response = await provider.chat({
      ...base,
      signal: signal(),
      messages: [
        { role: 'system', content: 'You are a connectivity test. Do exactly what you are asked.' },
        { role: 'user', content: 'Call the report_status tool with status "ok".' },
      ],
      tools: [statusTool],
      toolChoice: 'required',
    });
    diagnosis.reachable = true;
    diagnosis.latencyMs = response.latencyMs;
    const call = response.toolCalls[0];
    if (!call)
      return 'the model answered with text instead of calling the tool (Sandtable will fall back to JSON actions)';
    if (call.name !== 'report_status') return `the model called an unknown tool ${JSON.stringify(call.name)}`;
    const parsed = parseToolArguments(call);
    return parsed.ok ? undefined : parsed.error;
  });
  diagnosis.jsonMode = await check(async () => {
    const response = await provider.chat({
      ...base,
      signal: signal(),
      messages: [{ role: 'user', content: 'What is 2 + 2? Answer as JSON: {"answer": <number>}' }],
      responseFormat: {
        type: 'json_schema',
        name: 'sum',
        schema: { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'] },
      },
    });
    diagnosis.reachable = true;
    diagnosis.latencyMs ??= response.latencyMs;
    const parsed = parseJsonReply(response.text);
    if (!parsed.ok) return parsed.error;
    const answer = (parsed.value as { answer?: unknown } | null)?.answer;
    return typeof answer === 'number' ? undefined : 'the JSON has no numeric "answer" field';
  });
  const failedCall = [diagnosis.toolCalling, diagnosis.jsonMode, diagnosis.embeddings].find(
    (result) => result?.errorCode !== undefined,
  );
  if (failedCall && !diagnosis.error)
    diagnosis.error = { code: failedCall.errorCode as string, message: failedCall.detail ?? '' };
  return diagnosis;
}

/** Runs a check: undefined means it passed, a string is why it failed; provider errors are caught. */
async function check(run: () => Promise<string | undefined>): Promise<DoctorCheck> {
  const started = performance.now();
  try {
    const problem = await run();
    const latencyMs = Math.round(performance.now() - started);
    return problem === undefined
      ? { status: 'ok', latencyMs }
      : { status: 'failed', detail: problem, latencyMs };
  } catch (error) {
    const failure = asProviderError(error);
    return { status: 'failed', detail: failure.message, errorCode: failure.code };
  }
}

function asProviderError(error: unknown): ProviderError {
  return error instanceof ProviderError
    ? error
    : new ProviderError('PROVIDER_CONNECTION', error instanceof Error ? error.message : String(error), {
        cause: error,
      });
}

/** Advice for the first problem of an endpoint. */
function adviceFor(diagnosis: EndpointDiagnosis): string | undefined {
  if (diagnosis.apiKeyMissing) return `Set ${diagnosis.apiKeyEnv} to the API key of this endpoint.`;
  switch (diagnosis.error?.code) {
    case 'PROVIDER_CONNECTION':
    case 'PROVIDER_TIMEOUT':
      return 'Is the server running at that address? Start it, or fix baseUrl in sandtable.config.yaml (or SANDTABLE_MODEL_URL).';
    case 'PROVIDER_AUTH':
      return `The server refused the key${diagnosis.apiKeyEnv ? ` in ${diagnosis.apiKeyEnv}` : ''}; check it.`;
    case 'PROVIDER_NOT_FOUND':
      return `The server does not serve model ${diagnosis.model}; pick one of the listed models.`;
    default:
      break;
  }
  if (diagnosis.modelListed === false)
    return `Model ${diagnosis.model} is not among the listed models; pick one of them (for Ollama: \`ollama pull ${diagnosis.model}\`).`;
  return undefined;
}

function mark(result: DoctorCheck): string {
  return result.status === 'ok' ? '✓' : result.status === 'failed' ? '✗' : '-';
}

/**
 * The report as text for a terminal: one block per endpoint with what works, what does not, and
 * what to do about it; or, with nothing configured, how to configure a model.
 */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = ['Sandtable model doctor', ''];
  if (!report.configured) {
    lines.push('No model is configured.', '', report.notice ?? noModelNotice());
    return lines.join('\n');
  }
  lines.push(`Configuration: ${report.source ?? 'unknown'}`);
  for (const [tier, chain] of Object.entries(report.tiers)) {
    lines.push(
      `  tier ${tier}: ${chain.map((entry) => (typeof entry === 'string' ? entry : `[${entry.join(', ')}]`)).join(' → ')}`,
    );
  }
  if (report.notice) lines.push('', report.notice);
  for (const endpoint of report.endpoints) {
    lines.push(
      '',
      `Endpoint ${endpoint.id} (${endpoint.provider}, ${endpoint.baseUrl}, model ${endpoint.model})`,
    );
    if (endpoint.apiKeyEnv)
      lines.push(
        `  ${endpoint.apiKeyMissing ? '✗' : '✓'} API key from ${endpoint.apiKeyEnv}${endpoint.apiKeyMissing ? ' is not set' : ''}`,
      );
    if (!endpoint.reachable) {
      lines.push(`  ✗ does not answer: ${endpoint.error?.message ?? 'no answer'}`);
    } else {
      const listed =
        endpoint.models === undefined
          ? 'no model list'
          : `${endpoint.models.length} model${endpoint.models.length === 1 ? '' : 's'} listed`;
      lines.push(`  ✓ answers (${listed})`);
      if (endpoint.modelListed !== undefined) {
        lines.push(
          `  ${endpoint.modelListed ? '✓' : '✗'} model ${endpoint.model} ${endpoint.modelListed ? 'is served' : `is not listed (listed: ${endpoint.models?.slice(0, 8).join(', ')})`}`,
        );
      }
      if (endpoint.error && endpoint.toolCalling.status === 'skipped')
        lines.push(`  ✗ ${endpoint.error.message}`);
    }
    for (const [label, result] of [
      ['tool calling', endpoint.toolCalling],
      ['JSON mode', endpoint.jsonMode],
      ['embeddings', endpoint.embeddings],
    ] as const) {
      if (!result || (!endpoint.reachable && result.status === 'skipped')) continue;
      const timing = result.latencyMs === undefined ? '' : ` (${result.latencyMs} ms)`;
      const verdict =
        result.status === 'ok'
          ? 'works'
          : result.status === 'failed'
            ? `fails: ${result.detail}`
            : `skipped${result.detail ? `: ${result.detail}` : ''}`;
      lines.push(`  ${mark(result)} ${label} ${verdict}${result.status === 'ok' ? timing : ''}`);
    }
    if (endpoint.latencyMs !== undefined)
      lines.push(`  latency of one call: ${Math.round(endpoint.latencyMs)} ms`);
    const advice = adviceFor(endpoint);
    if (advice) lines.push(`  → ${advice}`);
  }
  const healthy = report.endpoints.filter(
    (endpoint) =>
      endpoint.reachable &&
      !endpoint.apiKeyMissing &&
      (endpoint.toolCalling.status === 'ok' || endpoint.toolCalling.detail === embeddingOnly) &&
      (endpoint.jsonMode.status === 'ok' || endpoint.jsonMode.detail === embeddingOnly) &&
      (endpoint.embeddings === undefined || endpoint.embeddings.status === 'ok') &&
      !endpoint.error,
  ).length;
  lines.push(
    '',
    healthy === report.endpoints.length
      ? `All ${healthy} endpoint${healthy === 1 ? '' : 's'} work.`
      : `${report.endpoints.length - healthy} of ${report.endpoints.length} endpoints have problems.`,
  );
  return lines.join('\n');
}
