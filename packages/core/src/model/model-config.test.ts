import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import {
  describeModelConfig,
  ModelConfigError,
  modelConfigFromEnvironment,
  parseModelConfig,
  resolveModelSetup,
} from './model-config';
import type { ProbeTarget } from './model-probe';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function server(
  options: Parameters<typeof SimulatedModelServer.start>[0] = {},
): Promise<SimulatedModelServer> {
  const started = await SimulatedModelServer.start(options);
  cleanups.push(() => started.close());
  return started;
}

async function closedPortUrl(): Promise<string> {
  const temporary = await SimulatedModelServer.start();
  const url = temporary.url;
  await temporary.close();
  return url;
}

function configError(text: string): ModelConfigError {
  try {
    parseModelConfig(text, 'sandtable.config.yaml');
  } catch (error) {
    if (error instanceof ModelConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const validYaml = `# models for the flood scenario
endpoints:
  local:
    baseUrl: http://127.0.0.1:11434/v1
    model: llama3.1:8b
    ollamaNativeFormat: true
  hosted:
    provider: anthropic
    model: claude-haiku-4-5
    apiKeyEnv: ANTHROPIC_API_KEY
    maxConcurrency: 16
    price: { inputPerMillion: 1, cachedInputPerMillion: 0.1, outputPerMillion: 5 }
tiers:
  fast: [local, hosted]
  smart: [[local, hosted]]
router:
  retry: { maxAttempts: 3 }
  hedging: { enabled: true }
`;

describe('model configuration', () => {
  it('reads endpoints, tiers and router tuning with defaults filled in', () => {
    const config = parseModelConfig(validYaml);
    expect(config.endpoints).toEqual([
      {
        id: 'local',
        provider: 'openai',
        baseUrl: 'http://127.0.0.1:11434/v1',
        model: 'llama3.1:8b',
        ollamaNativeFormat: true,
        maxConcurrency: 4,
        timeoutMs: 120_000,
      },
      {
        id: 'hosted',
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        apiKeyEnv: 'ANTHROPIC_API_KEY',
        maxConcurrency: 16,
        timeoutMs: 120_000,
        price: { inputPerMillion: 1, cachedInputPerMillion: 0.1, outputPerMillion: 5 },
      },
    ]);
    expect(config.tiers).toEqual({ fast: ['local', 'hosted'], smart: [['local', 'hosted']] });
    expect(config.router).toEqual({ retry: { maxAttempts: 3 }, hedging: { enabled: true } });
  });

  it('names file:line:column and the field of a bad value', () => {
    const error = configError(validYaml.replace('maxConcurrency: 16', 'maxConcurrency: zero'));
    expect(error.code).toBe('MODEL_CONFIG_INVALID');
    expect(error.category).toBe('user');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      file: 'sandtable.config.yaml',
      line: 11,
      column: 21,
      path: 'endpoints.hosted.maxConcurrency',
    });
    expect(error.message).toContain('sandtable.config.yaml:11:21: endpoints.hosted.maxConcurrency:');
  });

  it('points at an unknown field, refuses inline keys, and checks tier references', () => {
    const error = configError(`endpoints:
  local:
    model: m
    apiKey: sk-123
    colour: blue
tiers:
  fast: [local, missing]
`);
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue]));
    expect(byPath['endpoints.local.apiKey']).toMatchObject({ line: 4, column: 5 });
    expect(byPath['endpoints.local.apiKey']!.message).toContain('apiKeyEnv');
    expect(error.message).not.toContain('sk-123');
    const tierIssue = error.issues.find((issue) => issue.path === 'tiers.fast[1]');
    expect(tierIssue).toMatchObject({ line: 7, column: 17 });
    expect(tierIssue!.message).toContain('unknown endpoint "missing"');
  });

  it('refuses an Anthropic endpoint in the embedding tier, at its position', () => {
    const error = configError(`endpoints:
  local: { model: m }
  claude: { provider: anthropic, model: claude-haiku-4-5 }
tiers:
  fast: [local]
  embedding: [claude]
`);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: 'tiers.embedding[0]', line: 6 });
    expect(error.issues[0]!.message).toContain('OpenAI-compatible');
  });

  it('reports YAML syntax errors with their position', () => {
    const error = configError('endpoints:\n  local: { model: m\n');
    expect(error.issues[0]!.file).toBe('sandtable.config.yaml');
    expect(error.issues[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('builds a configuration from environment variables without holding the key', () => {
    const config = modelConfigFromEnvironment({
      SANDTABLE_MODEL_URL: 'http://user:pw@gpu-box:8000/v1',
      SANDTABLE_MODEL: 'qwen',
      OPENAI_API_KEY: 'sk-live-secret',
    });
    expect(config?.endpoints[0]).toMatchObject({
      provider: 'openai',
      baseUrl: 'http://user:pw@gpu-box:8000/v1',
      model: 'qwen',
      apiKeyEnv: 'OPENAI_API_KEY',
    });
    expect(config?.tiers).toEqual({ fast: ['environment'], smart: ['environment'] });
    for (const printed of [JSON.stringify(config), JSON.stringify(describeModelConfig(config!))]) {
      expect(printed).not.toContain('sk-live-secret');
      expect(printed).not.toContain(':pw@');
      expect(printed).toContain('gpu-box:8000');
    }
    expect(modelConfigFromEnvironment({ ANTHROPIC_API_KEY: 'x' })?.endpoints[0]).toMatchObject({
      provider: 'anthropic',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
    });
    expect(modelConfigFromEnvironment({})).toBeUndefined();
  });

  it('uses a config file in the working directory before anything else', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sandtable-config-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const simulated = await server();
    await writeFile(
      join(directory, 'sandtable.config.yaml'),
      `endpoints:\n  sim: { baseUrl: "${simulated.openaiBaseUrl}", model: simulated-model }\n`,
    );
    const setup = await resolveModelSetup({
      cwd: directory,
      environment: { OPENAI_API_KEY: 'ignored' },
      probeTargets: [],
    });
    expect(setup.source).toBe('file');
    const { response, endpointId } = await setup.router!.chat('smart', {
      model: '',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(endpointId).toBe('sim');
    expect(response.text).toContain('Simulated answer');
  });

  it('uses environment variables, asking the server for a model when none is named', async () => {
    const simulated = await server({ models: ['served-model'] });
    const setup = await resolveModelSetup({
      cwd: tmpdir(),
      environment: { SANDTABLE_MODEL_URL: simulated.openaiBaseUrl },
      probeTargets: [],
    });
    expect(setup.source).toBe('environment');
    expect(setup.config?.endpoints[0]?.model).toBe('served-model');
    expect(setup.notice).toContain('SANDTABLE_MODEL');
    await setup.router!.chat('fast', { model: '', messages: [{ role: 'user', content: 'hi' }] });
    expect(simulated.requests()[0]!.model).toBe('served-model');
  });

  it('finds a local server by probing when nothing is configured', async () => {
    const simulated = await server({ models: ['nomic-embed-text', 'llama3.1:8b'] });
    const targets: ProbeTarget[] = [
      { name: 'Nothing here', id: 'nothing', baseUrl: await closedPortUrl() },
      { name: 'Ollama', id: 'ollama', baseUrl: simulated.url, ollama: true },
    ];
    const setup = await resolveModelSetup({ cwd: tmpdir(), environment: {}, probeTargets: targets });
    expect(setup.source).toBe('auto-detected');
    expect(setup.config?.endpoints[0]).toMatchObject({
      id: 'ollama',
      baseUrl: `${simulated.url}/v1`,
      model: 'llama3.1:8b',
      ollamaNativeFormat: true,
    });
    expect(setup.notice).toContain('using Ollama');
    const { response } = await setup.router!.chat('fast', {
      model: '',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.model).toBe('llama3.1:8b');
  });

  it('returns no router and says how to configure one when nothing answers', async () => {
    const started = Date.now();
    const setup = await resolveModelSetup({
      cwd: tmpdir(),
      environment: {},
      probeTargets: [{ name: 'Ollama', id: 'ollama', baseUrl: await closedPortUrl(), ollama: true }],
      probeTimeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(setup.router).toBeUndefined();
    expect(setup.source).toBe('none');
    expect(setup.notice).toContain('SANDTABLE_MODEL_URL');
    expect(setup.notice).toContain('sandtable.config.yaml');
    expect(setup.notice).toContain('OPENAI_API_KEY');
  });

  it('gives up on a probe that never answers within the timeout', async () => {
    // Hold every GET open: a server that accepts connections but never answers.
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const address = silent.address() as { port: number };
    const started = Date.now();
    const setup = await resolveModelSetup({
      cwd: tmpdir(),
      environment: {},
      probeTargets: [{ name: 'LM Studio', id: 'lmstudio', baseUrl: `http://127.0.0.1:${address.port}` }],
      probeTimeoutMs: 150,
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(setup.source).toBe('none');
  });
});
