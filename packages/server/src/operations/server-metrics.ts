import type { AttemptRecord } from '@sandtable/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Current counts the metrics read at scrape time. */
export interface MetricsSources {
  /** Runs by status (queued, running, paused, completed, …). */
  runsByStatus: () => Promise<Record<string, number>> | Record<string, number>;
  /** Runs waiting for a free slot. */
  queueDepth: () => number;
}

/**
 * The server's Prometheus metrics (prom-client), in a registry of its own so several servers (or
 * tests) in one process do not collide. Served at `/metrics`.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly steps: Counter;
  readonly modelCalls: Counter<'endpoint' | 'outcome'>;
  readonly modelLatency: Histogram<'endpoint'>;
  readonly modelTokens: Counter<'kind'>;
  readonly modelCost: Counter;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly streamClients: Gauge;
  readonly streamResyncs: Counter;

  constructor(sources: MetricsSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'sandtable_' });
    new Gauge({
      name: 'sandtable_runs',
      help: 'Runs by status',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        for (const [status, count] of Object.entries(await sources.runsByStatus()))
          this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'sandtable_run_queue_depth',
      help: 'Runs waiting for a free run slot',
      registers,
      collect() {
        this.set(sources.queueDepth());
      },
    });
    this.steps = new Counter({ name: 'sandtable_steps_total', help: 'Steps committed, all runs', registers });
    this.modelCalls = new Counter({
      name: 'sandtable_model_calls_total',
      help: 'Model requests (attempts), by endpoint and outcome',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.modelLatency = new Histogram({
      name: 'sandtable_model_call_duration_seconds',
      help: 'Model request latency',
      labelNames: ['endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    });
    this.modelTokens = new Counter({
      name: 'sandtable_model_tokens_total',
      help: 'Model tokens by kind (prompt, completion, cached_prompt)',
      labelNames: ['kind'],
      registers,
    });
    this.modelCost = new Counter({
      name: 'sandtable_model_cost_usd_total',
      help: 'Model cost in USD',
      registers,
    });
    this.httpRequests = new Counter({
      name: 'sandtable_http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'sandtable_http_request_duration_seconds',
      help: 'HTTP request handling time (until the response starts; streams excluded)',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.streamClients = new Gauge({
      name: 'sandtable_event_stream_clients',
      help: 'Connected Server-Sent Events clients',
      registers,
    });
    this.streamResyncs = new Counter({
      name: 'sandtable_event_stream_resyncs_total',
      help: 'Times a slow SSE client overflowed its buffer and was caught up from the store',
      registers,
    });
  }

  /** Counts one model attempt (the router's `onAttempt`). */
  recordAttempt(record: AttemptRecord): void {
    this.modelCalls.inc({ endpoint: record.endpointId, outcome: record.outcome });
    this.modelLatency.observe({ endpoint: record.endpointId }, record.latencyMs / 1000);
    this.modelTokens.inc({ kind: 'prompt' }, record.usage.promptTokens);
    this.modelTokens.inc({ kind: 'completion' }, record.usage.completionTokens);
    this.modelTokens.inc({ kind: 'cached_prompt' }, record.usage.cachedPromptTokens);
    if (record.costUsd > 0) this.modelCost.inc(record.costUsd);
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
