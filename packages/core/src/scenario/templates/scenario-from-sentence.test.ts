import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildModelRouter, parseModelConfig } from '../../model/model-config';
import { SimulatedModelServer } from '../../testing/simulated-model-server';
import type { SimulatedChatRequest, SimulatedReply } from '../../testing/simulated-server-types';
import { validateScenarioText } from '../scenario-loader';
import { scenarioFromSentence } from './scenario-from-sentence';
import { findEntities } from './sentence-entities';
import { loadTemplateCatalogue, type TemplateCatalogue } from './template-catalogue';

let catalogue: TemplateCatalogue;
beforeAll(async () => {
  catalogue = await loadTemplateCatalogue();
});

describe('reading values out of a sentence', () => {
  it('finds durations, percentages, basis points, money, counts, months, magnitudes and places', () => {
    const entities = findEntities(
      'A 3-week strike in March closes Rotterdam; rates rise 75 basis points, 20% of 1,200 boats, $2.5 billion, a magnitude 6.9 quake',
      (word) => word === 'strike',
    );
    expect(entities.durations).toEqual([{ days: 21, text: '3-week' }]);
    expect(entities.percents.map((found) => found.value)).toEqual([0.75, 20]);
    expect(entities.amounts).toEqual([{ value: 2500, text: '$2.5 billion' }]);
    expect(entities.counts).toContainEqual({ value: 1200, noun: 'boats', text: '1,200 boats' });
    expect(entities.months).toEqual(['March']);
    expect(entities.magnitudes.map((found) => found.value)).toEqual([6.9]);
    expect(entities.places).toEqual(['Rotterdam']);
  });

  it('reads words for numbers and a fortnight', () => {
    expect(findEntities('two weeks of rain').durations).toEqual([{ days: 14, text: 'two weeks' }]);
    expect(findEntities('closed for a fortnight').durations).toEqual([{ days: 14, text: 'a fortnight' }]);
    expect(findEntities('a 36-hour blackout').durations).toEqual([{ days: 1.5, text: '36-hour' }]);
  });
});

/** Sentence → the template a person would pick, and one value it must read. */
const sentences: Array<[string, string, Record<string, string | number>]> = [
  [
    'A 3-week strike closes Rotterdam port in March',
    'port-strike',
    { port: 'Rotterdam', duration_days: 21, month: 'March' },
  ],
  [
    'The Suez Canal is blocked for 12 days by a grounded container ship',
    'canal-blockage',
    { duration_days: 12, canal: 'Suez' },
  ],
  [
    'Copper prices jump 45% for 8 weeks after a mine disaster',
    'commodity-price-shock',
    { shock_percent: 45, duration_weeks: 8 },
  ],
  [
    'The central bank raises interest rates by 75 basis points in June',
    'rate-hike',
    { hike_points: 0.75, month: 'June' },
  ],
  [
    'A magnitude 7.1 earthquake knocks out the power grid in Istanbul with 12 repair crews',
    'grid-failure',
    { magnitude: 7.1, city: 'Istanbul', crews: 12 },
  ],
  [
    'Flooding in Dresden: the river bursts its banks and 5 boats are available',
    'flood',
    { town: 'Dresden', boats: 5 },
  ],
  [
    'The US imposes a 60% tariff on steel from China',
    'tariff',
    { country: 'US', exporter: 'China', tariff_percent: 60 },
  ],
  [
    'A data breach at Acme Bank exposes 40% of its customers, and the regulator fines it $250 million',
    'data-protection-fine',
    { affected_percent: 40, fine_millions: 250 },
  ],
  [
    'Speculators attack the Argentine peso; the central bank has $12 billion of reserves',
    'currency-crisis',
    { reserves_billions: 12 },
  ],
  [
    'Our main supplier goes bankrupt and we hold 10 days of stock',
    'supplier-bankruptcy',
    { safety_stock_days: 10 },
  ],
  ['Sanctions block 70% of Iran’s trade', 'sanctions', { target: 'Iran', severity_percent: 70 }],
  [
    'Bots spread claims that the election in Moldova is rigged, with 20 bots and 3 fact-checkers',
    'election-disinformation',
    { country: 'Moldova', bots: 20, fact_checkers: 3 },
  ],
  ['A drought cuts the wheat harvest in Ukraine by 35%', 'harvest-failure', { harvest_loss_percent: 35 }],
  [
    'Banks must comply with new regulation within a 6-month deadline',
    'compliance-deadline',
    { deadline_weeks: 26 },
  ],
];

describe('plain-English scenarios offline', () => {
  it.each(sentences)('"%s" → %s', async (sentence, templateName, expected) => {
    const result = await scenarioFromSentence(sentence, catalogue);
    expect(result.method).toBe('matcher');
    expect(result.fallbackReason).toBe('no model configured');
    expect(result.filled.template.name).toBe(templateName);
    expect(result.filled.values).toMatchObject(expected);
    // What a user can paste into `sandtable validate`: the text, not just the in-memory scenario.
    expect(validateScenarioText(result.filled.text, { file: 'new.yaml' }).issues).toEqual([]);
    expect(result.filled.text).toContain(`From the description: "${sentence}"`);
    for (const [name, value] of Object.entries(expected)) {
      expect(result.report).toContainEqual(
        expect.stringMatching(new RegExp(`^guessed: ${name} = ${value} `)),
      );
    }
    expect(
      result.report.some((line) => line.startsWith('defaults:') || result.match?.defaults.length === 0),
    ).toBe(true);
  });

  it('moves a value outside a parameter’s bounds to the bound and says so', async () => {
    const result = await scenarioFromSentence('A 20-week strike shuts the port of Antwerp', catalogue);
    expect(result.filled.values).toMatchObject({ port: 'Antwerp', duration_days: 60 });
    expect(result.report).toContainEqual(
      expect.stringContaining('140 is above the template’s maximum; used 60'.replace('’', "'")),
    );
  });

  it('still writes a valid scenario when nothing matches, and says which template it fell back to', async () => {
    const result = await scenarioFromSentence('Something odd happens somewhere', catalogue);
    expect(result.match?.score).toBe(0);
    expect(result.report[1]).toMatch(/no template's keywords matched; used the first one/);
    expect(validateScenarioText(result.filled.text).issues).toEqual([]);
  });

  it('refuses an empty description', async () => {
    await expect(scenarioFromSentence('   ', catalogue)).rejects.toMatchObject({
      code: 'TEMPLATE_DESCRIPTION_EMPTY',
    });
  });
});

describe('plain-English scenarios with a model', () => {
  const servers: SimulatedModelServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function routerFor(reply: (request: SimulatedChatRequest) => SimulatedReply) {
    const server = await SimulatedModelServer.start({ reply });
    servers.push(server);
    const config = parseModelConfig(
      `endpoints:\n  sim: { baseUrl: "${server.openaiBaseUrl}", model: simulated-model, timeoutMs: 5000 }\ntiers:\n  smart: [sim]\nrouter:\n  retry: { maxAttempts: 1 }\n`,
    );
    return { server, router: buildModelRouter(config, {}) };
  }

  const call = (args: string | Record<string, unknown>): SimulatedReply => ({
    toolCalls: [{ name: 'choose_template', arguments: args }],
  });

  it('feeds the validation errors back and accepts the corrected, repaired reply', async () => {
    const { server, router } = await routerFor((request) =>
      request.index === 0
        ? call({
            template: 'port-strike',
            parameters: { port: 'Rotterdam', duration_days: 500 },
            rationale: 'a strike',
          })
        : // Broken JSON a small model might write: single quotes, a trailing comma. jsonrepair fixes it.
          call(
            "{'template': 'port-strike', 'parameters': {'port': 'Rotterdam', 'duration_days': 21, 'month': 'March',}, 'rationale': 'three weeks is 21 days'}",
          ),
    );
    const result = await scenarioFromSentence('A 3-week strike closes Rotterdam port in March', catalogue, {
      router,
    });
    expect(result.method).toBe('model');
    expect(result.model?.calls).toBe(2);
    expect(result.model?.repaired).toBe(true);
    expect(result.model?.rejections).toEqual([
      expect.stringContaining('parameters.duration_days: 500 is outside [0, 60]'),
    ]);
    expect(result.filled.values).toMatchObject({ port: 'Rotterdam', duration_days: 21, month: 'March' });
    expect(validateScenarioText(result.filled.text).issues).toEqual([]);

    const [first, second] = server.requests();
    // The request is constrained: one tool whose template argument is an enum of the catalogue.
    expect(first?.tools[0]?.name).toBe('choose_template');
    const properties = first?.tools[0]?.parameters.properties as Record<string, { enum?: string[] }>;
    expect(properties.template?.enum).toEqual(catalogue.names());
    expect(first?.messages.at(-1)?.content).toBe(
      '<description>\nA 3-week strike closes Rotterdam port in March\n</description>',
    );
    // The second request carries the rejected call and the error the model has to fix.
    const feedback = second?.messages.find((message) => message.role === 'tool');
    expect(feedback?.content).toContain('duration_days: 500 is outside [0, 60]');
    expect(result.report[0]).toMatch(/chosen by the model in 2 calls \(1 rejected/);
  });

  it('rejects a scenario the template cannot make, then falls back to the matcher after the last attempt', async () => {
    const { server, router } = await routerFor(() => call({ template: 'port-closure', parameters: {} }));
    const result = await scenarioFromSentence('A 3-week strike closes Rotterdam port in March', catalogue, {
      router,
      maxAttempts: 2,
    });
    expect(server.requests()).toHaveLength(2);
    expect(server.requests()[1]?.messages.find((message) => message.role === 'tool')?.content).toContain(
      'unknown template "port-closure"; known templates: commodity-price-shock',
    );
    expect(result.method).toBe('matcher');
    expect(result.fallbackReason).toMatch(/PROVIDER_MALFORMED_REPLY/);
    expect(result.filled.template.name).toBe('port-strike');
    expect(validateScenarioText(result.filled.text).issues).toEqual([]);
  });

  it('falls back to the matcher when the configuration has no smart tier', async () => {
    const { server, router } = await routerFor(() => call({ template: 'flood', parameters: {} }));
    const result = await scenarioFromSentence('Flooding in Dresden', catalogue, { router, target: 'huge' });
    expect(server.requests()).toHaveLength(0);
    expect(result.method).toBe('matcher');
    expect(result.fallbackReason).toBe('the model configuration has no "huge" tier or endpoint');
  });
});
