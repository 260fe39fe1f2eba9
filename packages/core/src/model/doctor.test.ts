import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import { formatDoctorReport, runDoctor } from './doctor';
import type { ModelConfig } from './model-config-schema';

const servers: SimulatedModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function configFor(baseUrl: string, model = 'simulated-model'): ModelConfig {
  return {
    source: 'sandtable.config.yaml',
    endpoints: [{ id: 'local', provider: 'openai', baseUrl, model, maxConcurrency: 2, timeoutMs: 5000 }],
    tiers: { fast: ['local'], smart: ['local'] },
  };
}

describe('runDoctor', () => {
  it('with nothing configured, explains how to configure a model', async () => {
    const report = await runDoctor(undefined);
    expect(report.configured).toBe(false);
    const text = formatDoctorReport(report);
    expect(text).toContain('No model is configured.');
    expect(text).toContain('SANDTABLE_MODEL_URL');
    expect(text).toContain('sandtable.config.yaml');
  });

  it('with the endpoint down, says it does not answer and what to check', async () => {
    const server = await SimulatedModelServer.start();
    const url = server.openaiBaseUrl;
    await server.close();
    const report = await runDoctor(configFor(url), { environment: {}, timeoutMs: 2000 });
    const [endpoint] = report.endpoints;
    expect(endpoint).toMatchObject({
      reachable: false,
      toolCalling: { status: 'skipped' },
      jsonMode: { status: 'skipped' },
    });
    expect(endpoint!.error?.code).toBe('PROVIDER_CONNECTION');
    const text = formatDoctorReport(report);
    expect(text).toContain('✗ does not answer');
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('Is the server running');
    expect(text).toContain('1 of 1 endpoints have problems.');
  });

  it('with the endpoint working, reports models, tool calling, JSON mode and latency', async () => {
    const server = await SimulatedModelServer.start({
      models: ['simulated-model', 'other-model'],
      latency: { kind: 'fixed', milliseconds: 15 },
    });
    servers.push(server);
    const report = await runDoctor(configFor(server.openaiBaseUrl), { environment: {} });
    const [endpoint] = report.endpoints;
    expect(endpoint).toMatchObject({
      reachable: true,
      models: ['simulated-model', 'other-model'],
      modelListed: true,
      toolCalling: { status: 'ok' },
      jsonMode: { status: 'ok' },
    });
    expect(endpoint!.latencyMs).toBeGreaterThanOrEqual(14);
    const sent = server.requests();
    expect(sent.map((request) => request.tools.map((tool) => tool.name))).toEqual([['report_status'], []]);
    expect(sent[1]!.responseFormat?.type).toBe('json_schema');
    const text = formatDoctorReport(report);
    expect(text).toContain('✓ answers (2 models listed)');
    expect(text).toContain('✓ tool calling works');
    expect(text).toContain('✓ JSON mode works');
    expect(text).toContain('All 1 endpoint work.');
  });

  it('flags a model that cannot call tools, an unlisted model, and a missing key', async () => {
    const server = await SimulatedModelServer.start({
      models: ['llama3.1:8b'],
      reply: () => 'I would rather chat.',
    });
    servers.push(server);
    const config = configFor(server.openaiBaseUrl, 'mistral');
    config.endpoints[0]!.apiKeyEnv = 'LOCAL_KEY';
    const report = await runDoctor(config, { environment: {} });
    const [endpoint] = report.endpoints;
    expect(endpoint).toMatchObject({
      reachable: true,
      modelListed: false,
      apiKeyMissing: true,
      toolCalling: { status: 'failed' },
      jsonMode: { status: 'failed' },
    });
    const text = formatDoctorReport(report);
    expect(text).toContain('answered with text instead of calling the tool');
    expect(text).toContain('model mistral is not listed (listed: llama3.1:8b)');
    expect(text).toContain('Set LOCAL_KEY');
  });
});

describe('runDoctor with an embedding tier', () => {
  it('checks embeddings on endpoints of the embedding tier and skips chat checks on embedding-only ones', async () => {
    const server = await SimulatedModelServer.start({ models: ['simulated-model', 'embed-model'] });
    servers.push(server);
    const baseUrl = server.openaiBaseUrl;
    const config: ModelConfig = {
      source: 'sandtable.config.yaml',
      endpoints: [
        {
          id: 'chat',
          provider: 'openai',
          baseUrl,
          model: 'simulated-model',
          maxConcurrency: 2,
          timeoutMs: 5000,
        },
        {
          id: 'embedder',
          provider: 'openai',
          baseUrl,
          model: 'embed-model',
          maxConcurrency: 2,
          timeoutMs: 5000,
        },
      ],
      tiers: { fast: ['chat'], smart: ['chat'], embedding: ['embedder'] },
    };
    const report = await runDoctor(config, { environment: {} });
    const [chat, embedder] = report.endpoints;
    expect(chat).toMatchObject({ toolCalling: { status: 'ok' }, jsonMode: { status: 'ok' } });
    expect(chat?.embeddings).toBeUndefined();
    expect(embedder).toMatchObject({
      reachable: true,
      embeddings: { status: 'ok' },
      toolCalling: { status: 'skipped' },
      jsonMode: { status: 'skipped' },
    });
    expect(server.stats().embeddingRequests).toBe(1);
    const text = formatDoctorReport(report);
    expect(text).toContain('✓ embeddings works');
    expect(text).toContain('All 2 endpoints work.');

    server.configure({ embeddings: { failure: 'not-found' } });
    const failing = await runDoctor(config, { environment: {} });
    expect(failing.endpoints[1]).toMatchObject({
      embeddings: { status: 'failed', errorCode: 'PROVIDER_NOT_FOUND' },
      error: { code: 'PROVIDER_NOT_FOUND' },
    });
    expect(formatDoctorReport(failing)).toContain('1 of 2 endpoints have problems.');
  });
});
