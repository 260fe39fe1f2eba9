/**
 * A server in a process of its own, for the execution-lease test: it resumes interrupted runs
 * from the PostgreSQL store at `DATABASE_URL` with the OpenAI-compatible model at `MODEL_URL`
 * (tier `fast`), prints `ready`, and runs until it is killed.
 */
import { ModelRouter, OpenAIProvider } from '@sandtable/core';
import { createServer } from '../server';
import { silentLogger } from '../test-support';

const router = new ModelRouter({
  endpoints: [
    {
      id: 'local',
      provider: new OpenAIProvider({ id: 'local', baseUrl: process.env.MODEL_URL as string, apiKey: 'test' }),
      model: 'simulated-model',
      maxConcurrency: 4,
      timeoutMs: 20_000,
    },
  ],
  tiers: { fast: ['local'] },
  retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
});
await createServer({
  databaseUrl: process.env.DATABASE_URL as string,
  models: { router },
  resumeInterrupted: true,
  resumeScanMs: 200,
  dashboardDirectory: '/nonexistent',
  environment: {},
  logger: silentLogger,
});
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
