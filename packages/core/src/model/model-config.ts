import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatIssue, type Issue, SandtableError } from '../errors';
import { AnthropicProvider } from './anthropic-provider';
import { type EndpointConfig, type ModelConfig, modelConfigFileSchema } from './model-config-schema';
import {
  defaultProbeTargets,
  endpointFromProbe,
  getJson,
  type ProbeTarget,
  probeLocalServers,
} from './model-probe';
import { OpenAIProvider } from './openai-provider';
import { redactUrl } from './redact';
import { ModelRouter } from './router';
import type { ModelRouterOptions } from './router-types';
import type { ModelProvider } from './types';

/** Environment variables, as `process.env` holds them. */
export type EnvironmentVariables = Record<string, string | undefined>;

/** The file names looked for in the working directory. */
export const modelConfigFileNames = ['sandtable.config.yaml', 'sandtable.config.yml'] as const;

/**
 * The model configuration is wrong. `issues` name file, line, column and field of each problem.
 * Codes: `MODEL_CONFIG_INVALID`, `MODEL_CONFIG_NOT_FOUND`.
 */
export class ModelConfigError extends SandtableError {
  readonly issues: Issue[];

  constructor(
    code: 'MODEL_CONFIG_INVALID' | 'MODEL_CONFIG_NOT_FOUND',
    issues: Issue[],
    options: { cause?: unknown } = {},
  ) {
    const head = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(code, `Model configuration has ${head}:\n${issues.map(formatIssue).join('\n')}`, {
      category: 'user',
      cause: options.cause,
    });
    this.name = 'ModelConfigError';
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/**
 * Parses and validates the text of a `sandtable.config.yaml`.
 * @throws {@link ModelConfigError} `MODEL_CONFIG_INVALID` with file:line:column for each problem
 * (YAML syntax, unknown or wrong fields, tiers naming unknown endpoints, keys written inline).
 * @example
 * parseModelConfig(`
 * endpoints:
 *   local: { baseUrl: http://127.0.0.1:11434/v1, model: llama3.1:8b, ollamaNativeFormat: true }
 *   openai: { model: gpt-4o-mini, apiKeyEnv: OPENAI_API_KEY, price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } }
 * tiers:
 *   fast: [local, openai]
 *   smart: [openai]
 * `, 'sandtable.config.yaml');
 */
export function parseModelConfig(text: string, file = 'sandtable.config.yaml'): ModelConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ModelConfigError(
      'MODEL_CONFIG_INVALID',
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          file,
          line: position.line,
          column: position.col,
          message: error.message.split('\n')[0] ?? error.message,
        };
      }),
    );
  }
  const parsed = modelConfigFileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    throw new ModelConfigError(
      'MODEL_CONFIG_INVALID',
      parsed.error.issues.map((issue) => locateIssue(issue, document, lineCounter, file)),
    );
  }
  return fromFile(parsed.data, file);
}

function locateIssue(
  issue: z.core.$ZodIssue,
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  file: string,
): Issue {
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  let message = issue.message;
  let offset: number | undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const map = path.length === 0 ? document.contents : document.getIn(path, true);
    if (isMap(map)) {
      const pair = map.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      offset = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
    }
    if (key !== undefined) path.push(key);
    message =
      key === 'apiKey'
        ? 'do not write API keys in the configuration; put the key in an environment variable and name it in apiKeyEnv'
        : `unknown field ${issue.keys.map((name) => JSON.stringify(name)).join(', ')}`;
  }
  // The closest node that exists (a missing field points at the object that lacks it).
  for (let depth = path.length; offset === undefined && depth >= 0; depth -= 1) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    offset = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
  }
  const position = lineCounter.linePos(offset ?? 0);
  return { file, line: position.line, column: position.col, path: formatPath(path), message };
}

function formatPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

function fromFile(file: z.output<typeof modelConfigFileSchema>, source: string): ModelConfig {
  const endpoints: EndpointConfig[] = Object.entries(file.endpoints).map(([id, endpoint]) => ({
    id,
    ...endpoint,
  }));
  const allIds = endpoints.map((endpoint) => endpoint.id);
  const tiers = file.tiers ?? { fast: allIds, smart: allIds };
  return loggable({ source, endpoints, tiers, ...(file.router ? { router: file.router } : {}) });
}

/** Reads and validates a configuration file. @throws {@link ModelConfigError} */
export async function loadModelConfigFile(path: string): Promise<ModelConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ModelConfigError('MODEL_CONFIG_NOT_FOUND', [{ file: path, message: 'cannot read the file' }], {
      cause: error,
    });
  }
  return parseModelConfig(text, path);
}

/**
 * A configuration from environment variables, or undefined when none is set:
 * `SANDTABLE_MODEL_URL` (+ `SANDTABLE_MODEL`, key from `SANDTABLE_MODEL_API_KEY` or
 * `OPENAI_API_KEY`) for any OpenAI-compatible server; else `OPENAI_API_KEY` for OpenAI; else
 * `ANTHROPIC_API_KEY` for Anthropic. `SANDTABLE_MODEL` picks the model (defaults: `gpt-4o-mini`,
 * `claude-haiku-4-5`). Both `fast` and `smart` use the one endpoint. With a URL but no model,
 * `model` is empty: {@link resolveModelSetup} fills in the first model the server lists.
 */
export function modelConfigFromEnvironment(environment: EnvironmentVariables): ModelConfig | undefined {
  const url = environment.SANDTABLE_MODEL_URL?.trim();
  const model = environment.SANDTABLE_MODEL?.trim() || undefined;
  let endpoint: EndpointConfig | undefined;
  if (url) {
    const keyVariable = environment.SANDTABLE_MODEL_API_KEY
      ? 'SANDTABLE_MODEL_API_KEY'
      : environment.OPENAI_API_KEY
        ? 'OPENAI_API_KEY'
        : undefined;
    endpoint = {
      id: 'environment',
      provider: 'openai',
      baseUrl: url,
      model: model ?? '',
      maxConcurrency: 4,
      timeoutMs: 120_000,
      ...(keyVariable ? { apiKeyEnv: keyVariable } : {}),
    };
  } else if (environment.OPENAI_API_KEY) {
    endpoint = {
      id: 'openai',
      provider: 'openai',
      model: model ?? 'gpt-4o-mini',
      apiKeyEnv: 'OPENAI_API_KEY',
      maxConcurrency: 8,
      timeoutMs: 120_000,
    };
  } else if (environment.ANTHROPIC_API_KEY) {
    endpoint = {
      id: 'anthropic',
      provider: 'anthropic',
      model: model ?? 'claude-haiku-4-5',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
      maxConcurrency: 4,
      timeoutMs: 120_000,
    };
  }
  if (!endpoint) return undefined;
  return loggable({
    source: 'environment',
    endpoints: [endpoint],
    tiers: { fast: [endpoint.id], smart: [endpoint.id] },
  });
}

/** Makes the provider of one endpoint, reading its key from the environment. */
export function createProvider(endpoint: EndpointConfig, environment: EnvironmentVariables): ModelProvider {
  const apiKey = endpoint.apiKeyEnv ? environment[endpoint.apiKeyEnv] : undefined;
  if (endpoint.provider === 'anthropic') {
    return new AnthropicProvider({
      id: endpoint.id,
      ...(endpoint.baseUrl ? { baseUrl: endpoint.baseUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
    });
  }
  return new OpenAIProvider({
    id: endpoint.id,
    ...(endpoint.baseUrl ? { baseUrl: endpoint.baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(endpoint.ollamaNativeFormat ? { ollamaNativeFormat: true } : {}),
  });
}

/** Builds a {@link ModelRouter} from a configuration. Extra router options (clock, random, onAttempt) may be given. */
export function buildModelRouter(
  config: ModelConfig,
  environment: EnvironmentVariables = process.env,
  extra: Partial<Omit<ModelRouterOptions, 'endpoints' | 'tiers'>> = {},
): ModelRouter {
  return new ModelRouter({
    ...config.router,
    ...extra,
    endpoints: config.endpoints.map((endpoint) => ({
      id: endpoint.id,
      provider: createProvider(endpoint, environment),
      model: endpoint.model,
      maxConcurrency: endpoint.maxConcurrency,
      timeoutMs: endpoint.timeoutMs,
      ...(endpoint.price ? { price: endpoint.price } : {}),
    })),
    tiers: config.tiers,
  });
}

/**
 * Gives a configuration a `toJSON` (not enumerable) that prints it through
 * {@link describeModelConfig}, so logging it never shows credentials embedded in URLs.
 */
function loggable(config: ModelConfig): ModelConfig {
  Object.defineProperty(config, 'toJSON', { value: () => describeModelConfig(config), enumerable: false });
  return config;
}

/** A configuration safe to log or print: URLs redacted (keys are never in it). */
export function describeModelConfig(config: ModelConfig): Record<string, unknown> {
  return {
    ...config,
    endpoints: config.endpoints.map((endpoint) => ({
      ...endpoint,
      ...(endpoint.baseUrl ? { baseUrl: redactUrl(endpoint.baseUrl) } : {}),
    })),
  };
}

/** Options of {@link resolveModelSetup}. */
export interface ModelSetupOptions {
  /** A configuration file to use; it must exist. */
  configPath?: string;
  /** Where to look for `sandtable.config.yaml`. @defaultValue `process.cwd()` */
  cwd?: string;
  /** @defaultValue `process.env` */
  environment?: EnvironmentVariables;
  /** Local servers to look for when nothing is configured. @defaultValue Ollama and LM Studio on their default ports */
  probeTargets?: readonly ProbeTarget[];
  /** @defaultValue 500 */
  probeTimeoutMs?: number;
  signal?: AbortSignal;
  /** Extra router options (e.g. `onAttempt` to record every call, `hedging`). */
  router?: Partial<Omit<ModelRouterOptions, 'endpoints' | 'tiers'>>;
}

/** Where the model setup came from, the router built from it, and what to tell the user. */
export interface ModelSetup {
  source: 'file' | 'environment' | 'auto-detected' | 'none';
  config?: ModelConfig;
  router?: ModelRouter;
  /** A message for the user: what was auto-detected, or exactly how to configure a model. */
  notice?: string;
}

/**
 * Finds the model setup: a config file (explicit, or `sandtable.config.yaml` in `cwd`), else
 * environment variables, else a local Ollama or LM Studio. Returns no router (and a notice saying
 * how to configure one) when nothing is found.
 * @throws {@link ModelConfigError} when a configuration file exists but is invalid.
 */
export async function resolveModelSetup(options: ModelSetupOptions = {}): Promise<ModelSetup> {
  const environment = options.environment ?? process.env;
  const file = options.configPath ?? (await findConfigFile(options.cwd ?? process.cwd()));
  if (file) {
    const config = await loadModelConfigFile(file);
    return withKeyNotice(
      { source: 'file', config, router: buildModelRouter(config, environment, options.router) },
      environment,
    );
  }
  const fromEnvironment = modelConfigFromEnvironment(environment);
  if (fromEnvironment) {
    const endpoint = fromEnvironment.endpoints[0] as EndpointConfig;
    let notice: string | undefined;
    if (endpoint.model === '') {
      const listed = await listedModels(
        `${(endpoint.baseUrl ?? '').replace(/\/+$/, '')}/models`,
        options.probeTimeoutMs ?? 2000,
      );
      if (listed[0] === undefined) {
        return {
          source: 'none',
          notice: `SANDTABLE_MODEL_URL is set to ${redactUrl(endpoint.baseUrl ?? '')} but SANDTABLE_MODEL is not, and the server lists no models. Set SANDTABLE_MODEL to the model to use.`,
        };
      }
      endpoint.model = listed[0];
      notice = `Using model ${listed[0]}, the first listed by ${redactUrl(endpoint.baseUrl ?? '')}. Set SANDTABLE_MODEL to choose another.`;
    }
    return withKeyNotice(
      {
        source: 'environment',
        config: fromEnvironment,
        router: buildModelRouter(fromEnvironment, environment, options.router),
        ...(notice ? { notice } : {}),
      },
      environment,
    );
  }
  const probes = await probeLocalServers(options.probeTargets ?? defaultProbeTargets, {
    timeoutMs: options.probeTimeoutMs ?? 500,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (const probe of probes) {
    const endpoint = endpointFromProbe(probe, environment.SANDTABLE_MODEL);
    if (!endpoint) continue;
    const config: ModelConfig = loggable({
      source: 'auto-detected',
      endpoints: [endpoint],
      tiers: { fast: [endpoint.id], smart: [endpoint.id] },
    });
    return {
      source: 'auto-detected',
      config,
      router: buildModelRouter(config, environment, options.router),
      notice:
        `No model configured; using ${probe.target.name} at ${probe.target.baseUrl} with model ${endpoint.model} (found ${probe.models.length} model${probe.models.length === 1 ? '' : 's'}). ` +
        'To choose another, set SANDTABLE_MODEL or write a sandtable.config.yaml.',
    };
  }
  const running = probes.filter((probe) => probe.found);
  return { source: 'none', notice: noModelNotice(running.map((probe) => probe.target.name)) };
}

async function findConfigFile(directory: string): Promise<string | undefined> {
  for (const name of modelConfigFileNames) {
    const path = join(directory, name);
    try {
      await access(path);
      return path;
    } catch {
      // not there; try the next name
    }
  }
  return undefined;
}

async function listedModels(url: string, timeoutMs: number): Promise<string[]> {
  try {
    const body = (await getJson(url, timeoutMs)) as { data?: Array<{ id?: unknown }> };
    return (body.data ?? []).map((model) => String(model.id ?? '')).filter((id) => id !== '');
  } catch {
    return [];
  }
}

function withKeyNotice(setup: ModelSetup, environment: EnvironmentVariables): ModelSetup {
  const missing = (setup.config?.endpoints ?? []).filter(
    (endpoint) => endpoint.apiKeyEnv && !environment[endpoint.apiKeyEnv],
  );
  if (missing.length === 0) return setup;
  const lines = missing.map(
    (endpoint) => `Endpoint ${endpoint.id} reads its API key from ${endpoint.apiKeyEnv}, which is not set.`,
  );
  return { ...setup, notice: [setup.notice, ...lines].filter(Boolean).join('\n') };
}

/**
 * The message shown when no model is available: the ways to configure one, in order of ease.
 * @param serversWithoutModels - local servers that answered but serve no chat model
 */
export function noModelNotice(serversWithoutModels: readonly string[] = []): string {
  const idle = serversWithoutModels.map(
    (name) => `${name} is running but has no chat model; pull one (e.g. \`ollama pull llama3.1:8b\`).`,
  );
  return [
    'No model endpoint is configured, and no local server answered (Ollama on 127.0.0.1:11434, LM Studio on 127.0.0.1:1234).',
    ...idle,
    'Agents with an LLM tier will use the rule-based brain. To use a model, do one of:',
    '  1. Run Ollama (https://ollama.com) and `ollama pull llama3.1:8b`; Sandtable finds it on its own.',
    '  2. Set SANDTABLE_MODEL_URL (an OpenAI-compatible base URL ending in /v1) and SANDTABLE_MODEL.',
    '  3. Set OPENAI_API_KEY or ANTHROPIC_API_KEY (and SANDTABLE_MODEL to pick the model).',
    '  4. Write sandtable.config.yaml:',
    '       endpoints:',
    '         local: { baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.1:8b" }',
    '         openai: { model: "gpt-4o-mini", apiKeyEnv: OPENAI_API_KEY }',
    '       tiers:',
    '         fast: [local, openai]',
    '         smart: [openai]',
    'Then run `sandtable doctor` to check the connection.',
  ].join('\n');
}
