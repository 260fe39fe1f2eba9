import {
  createEngine,
  fillTemplate,
  loadTemplateCatalogue,
  parseScenario,
  RunRecorder,
  type RunResult,
  type TemplateCatalogue,
  type TemplateError,
  validateScenarioText,
} from '@sandtable/core';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The template library: every template fills with its defaults into a scenario that validates,
 * runs to completion with rule agents (kept small with --set values and a shorter clock so the
 * file stays a few seconds of CPU), and for most of them the key parameter visibly changes the
 * outcome. One seed per run: these check the direction of an effect the README describes, with
 * margins wide enough not to hang on one draw.
 */

interface Outcome {
  result: RunResult;
  recorder: RunRecorder;
}

type Values = Record<string, string | number>;

let catalogue: TemplateCatalogue;
beforeAll(async () => {
  catalogue = await loadTemplateCatalogue();
});

async function runTemplate(name: string, values: Values, steps?: number): Promise<Outcome> {
  const filled = fillTemplate(catalogue.get(name), values);
  const scenario = parseScenario(filled.text, steps ? { steps } : {});
  const run = createEngine().createRun(scenario);
  const recorder = new RunRecorder();
  run.subscribe(recorder.record);
  const result = await run.start();
  return { result, recorder };
}

const series = (run: Outcome, metric: string) =>
  run.recorder.series.map((entry) => entry.metrics[metric] as number);
const peak = (run: Outcome, metric: string) => Math.max(...series(run, metric));
const low = (run: Outcome, metric: string) => Math.min(...series(run, metric));
const last = (run: Outcome, metric: string) => series(run, metric).at(-1) as number;

/** How each template is run small, and (for most) how its key parameter should move the outcome. */
interface Case {
  small: Values;
  steps?: number;
  key?: {
    parameter: string;
    low: string | number;
    high: string | number;
    check: (low: Outcome, high: Outcome) => void;
  };
}

const cases: Record<string, Case> = {
  'commodity-price-shock': {
    small: { manufacturers: 10 },
    key: {
      parameter: 'shock_percent',
      low: 20,
      high: 150,
      check: (mild, severe) => {
        expect(peak(mild, 'insolvent_firms')).toBe(0);
        expect(peak(severe, 'insolvent_firms')).toBeGreaterThanOrEqual(3);
        expect(peak(severe, 'spot_price')).toBeGreaterThan(peak(mild, 'spot_price') + 50);
      },
    },
  },
  'harvest-failure': {
    small: { importers: 8 },
    key: {
      parameter: 'harvest_loss_percent',
      low: 5,
      high: 40,
      check: (mild, severe) => {
        expect(mild.result.outcome).toBe('max-steps');
        expect(severe.result.outcome).toBe('food_riots');
        expect(peak(severe, 'grain_price')).toBeGreaterThan(peak(mild, 'grain_price') + 30);
      },
    },
  },
  'canal-blockage': {
    small: { carriers: 5 },
    key: {
      parameter: 'duration_days',
      low: 3,
      high: 20,
      check: (short, long) => {
        expect(last(short, 'ships_rerouted')).toBe(0);
        expect(last(long, 'ships_rerouted')).toBeGreaterThan(50);
        expect(last(long, 'delay_ship_days')).toBeGreaterThan(3 * last(short, 'delay_ship_days'));
      },
    },
  },
  'port-strike': {
    small: { retailers: 8 },
    steps: 36,
    key: {
      parameter: 'duration_days',
      low: 5,
      high: 30,
      check: (short, long) => {
        expect(low(short, 'shelf_availability')).toBeGreaterThan(0.85);
        expect(low(long, 'shelf_availability')).toBeLessThan(low(short, 'shelf_availability') - 0.3);
      },
    },
  },
  'supplier-bankruptcy': {
    small: { buyers: 6 },
    key: {
      parameter: 'safety_stock_days',
      low: 5,
      high: 60,
      check: (thin, thick) => {
        expect(last(thin, 'lost_production_days')).toBeGreaterThan(30);
        expect(last(thick, 'lost_production_days')).toBe(0);
      },
    },
  },
  'currency-crisis': {
    small: {},
    key: {
      parameter: 'reserves_billions',
      low: 10,
      high: 70,
      check: (thin, deep) => {
        expect(thin.result.outcome).toBe('devaluation');
        expect(deep.result.outcome).toBe('peg_held');
      },
    },
  },
  'labour-market-shock': {
    small: { workers: 40 },
    key: {
      parameter: 'layoff_percent',
      low: 5,
      high: 45,
      check: (mild, severe) => {
        expect(peak(mild, 'unemployment_rate')).toBeLessThan(10);
        expect(peak(severe, 'unemployment_rate')).toBeGreaterThan(25);
        expect(severe.result.steps).toBeGreaterThan(mild.result.steps + 6);
      },
    },
  },
  'rate-hike': {
    small: { households: 20 },
    key: {
      parameter: 'hike_points',
      low: 0.5,
      high: 4,
      check: (small, large) => {
        expect(large.result.outcome).toBe('inflation_tamed');
        expect(large.result.steps).toBeLessThan(small.result.steps);
        expect(peak(large, 'unemployment')).toBeGreaterThan(peak(small, 'unemployment'));
      },
    },
  },
  'compliance-deadline': {
    small: { firms: 8 },
    key: {
      parameter: 'deadline_weeks',
      low: 8,
      high: 52,
      check: (tight, relaxed) => {
        expect(last(tight, 'fines_total')).toBeGreaterThan(0);
        expect(last(relaxed, 'fines_total')).toBe(0);
        expect(last(tight, 'compliance_spend')).toBeGreaterThan(3 * last(relaxed, 'compliance_spend'));
      },
    },
  },
  'data-protection-fine': {
    small: { customers: 30 },
    key: {
      parameter: 'affected_percent',
      low: 5,
      high: 90,
      check: (small, large) => {
        expect(last(small, 'churned_share')).toBeLessThan(0.1);
        expect(last(large, 'churned_share')).toBeGreaterThan(0.3);
        expect(peak(large, 'fine')).toBeGreaterThan(peak(small, 'fine'));
      },
    },
  },
  tariff: {
    small: { importers: 6 },
    key: {
      parameter: 'tariff_percent',
      low: 5,
      high: 80,
      check: (light, steep) => {
        expect(peak(steep, 'consumer_prices')).toBeGreaterThan(peak(light, 'consumer_prices') + 10);
        expect(last(steep, 'imports_from_exporter')).toBeLessThan(last(light, 'imports_from_exporter') - 0.4);
        expect(low(steep, 'farm_exports')).toBeLessThan(low(light, 'farm_exports'));
      },
    },
  },
  flood: { small: { boats: 6 }, steps: 20 },
  'grid-failure': {
    small: { crews: 3 },
    key: {
      parameter: 'crews',
      low: 3,
      high: 20,
      check: (few, many) => {
        expect(few.result.outcome).toBe('max-steps');
        expect(many.result.outcome).toBe('power_restored');
        expect(last(many, 'customer_hours_lost')).toBeLessThan(last(few, 'customer_hours_lost') / 3);
      },
    },
  },
  'pandemic-wave': {
    small: { groups: 5 },
    steps: 50,
    key: {
      parameter: 'r0',
      low: 1.3,
      high: 4,
      check: (slow, fast) => {
        expect(peak(slow, 'hospital_occupancy')).toBeLessThan(1);
        expect(peak(fast, 'hospital_occupancy')).toBeGreaterThan(1);
        expect(last(fast, 'deaths')).toBeGreaterThan(3 * last(slow, 'deaths'));
      },
    },
  },
  sanctions: {
    small: { intermediaries: 4 },
    key: {
      parameter: 'severity_percent',
      low: 10,
      high: 80,
      check: (light, heavy) => {
        expect(heavy.result.outcome).toBe('target_concedes');
        expect(heavy.result.steps).toBeLessThan(light.result.steps);
      },
    },
  },
  'territorial-dispute': {
    small: {},
    key: {
      parameter: 'initial_tension',
      low: 0.15,
      high: 0.7,
      check: (calm, tense) => {
        expect(tense.result.outcome).toBe('war');
        expect(calm.result.outcome).not.toBe('war');
      },
    },
  },
  'election-disinformation': {
    small: { voters: 15, days_to_election: 14 },
    key: {
      parameter: 'bots',
      low: 1,
      high: 12,
      check: (few, many) => {
        expect(last(many, 'belief.rigged.mean')).toBeGreaterThan(last(few, 'belief.rigged.mean') + 0.3);
      },
    },
  },
  'viral-rumour': {
    small: { residents: 30 },
    steps: 10,
    key: {
      parameter: 'trust',
      low: 0.2,
      high: 0.8,
      check: (wary, trusting) => {
        expect(last(trusting, 'belief.rumour.mean')).toBeGreaterThan(last(wary, 'belief.rumour.mean') + 0.08);
      },
    },
  },
  'bank-run': {
    small: { depositors: 1000 },
    steps: 7,
    key: {
      parameter: 'backstop',
      low: 'false',
      high: 'true',
      check: (without, withBackstop) => {
        expect(without.result.outcome).toBe('bank-failed');
        expect(withBackstop.result.outcome).toBe('max-steps');
        expect(peak(withBackstop, 'backstop_used')).toBeGreaterThan(0);
      },
    },
  },
  'prediction-market': {
    small: { traders: 8 },
    key: {
      parameter: 'leak_stance',
      low: -0.8,
      high: 0.8,
      check: (bad, good) => {
        expect(last(good, 'market.price.merger.yes')).toBeGreaterThan(
          last(bad, 'market.price.merger.yes') + 0.1,
        );
      },
    },
  },
};

describe('the template catalogue', () => {
  it('holds twenty templates across all eight categories, each with a test case here', () => {
    const templates = catalogue.list();
    expect(templates).toHaveLength(20);
    expect(new Set(templates.map((template) => template.category))).toEqual(
      new Set([
        'commodity',
        'logistics',
        'macro',
        'regulatory',
        'disaster',
        'geopolitical',
        'social',
        'market',
      ]),
    );
    expect(Object.keys(cases).sort()).toEqual(catalogue.names().sort());
  });

  it('rejects unknown templates and parameters, listing the valid ones', () => {
    expect(() => catalogue.get('port-closure')).toThrow(
      /unknown template "port-closure"; known templates: .*port-strike/,
    );
    const template = catalogue.get('port-strike');
    const unknown = (() => {
      try {
        fillTemplate(template, { harbour: 'Antwerp' });
      } catch (error) {
        return error as TemplateError;
      }
    })();
    expect(unknown?.code).toBe('TEMPLATE_PARAMETER_UNKNOWN');
    expect(unknown?.message).toContain('its parameters: port, duration_days, month, retailers');
    expect(() => fillTemplate(template, { duration_days: '99' })).toThrow(
      /duration_days: 99 is outside \[0, 60\]/,
    );
    expect(() => fillTemplate(template, { duration_days: 'long' })).toThrow(/"long" is not a number/);
    expect(() => fillTemplate(template, { port: 'Rotterdam: closed' })).toThrow(/must be 1–60 letters/);
  });

  it('fills parameters into names, descriptions, event messages and numbers', () => {
    const filled = fillTemplate(catalogue.get('port-strike'), { port: 'Antwerp', duration_days: '21' });
    expect(filled.scenario.name).toBe('Strike at the port of Antwerp');
    expect(filled.scenario.parameters.strike_days).toBe(21);
    expect(filled.scenario.agents[0]?.name).toBe('Antwerp Port Authority');
    expect(filled.scenario.events.some((event) => event.description.includes('at Antwerp'))).toBe(true);
    expect(filled.text).toContain(
      '# Parameters: port=Antwerp, duration_days=21, month=March (default), retailers=30 (default)',
    );
  });
});

describe.each(Object.entries(cases))('%s', (name, testCase) => {
  it('fills with its defaults into a scenario that validates', () => {
    const filled = fillTemplate(catalogue.get(name), {});
    const validation = validateScenarioText(filled.text, { file: `${name}.yaml` });
    expect(validation.issues).toEqual([]);
    expect(validation.scenario?.category).toBe(catalogue.get(name).category);
    // Declared metrics, or the ones environments and beliefs record by themselves.
    const scenario = validation.scenario;
    expect((scenario?.metrics.length ?? 0) + (scenario?.environments.length ?? 0)).toBeGreaterThan(0);
    expect(scenario?.termination.length ?? 0).toBeGreaterThan(0);
  });

  const runs = testCase.key
    ? [
        { ...testCase.small, [testCase.key.parameter]: testCase.key.low },
        { ...testCase.small, [testCase.key.parameter]: testCase.key.high },
      ]
    : [testCase.small];
  // Started by the first test that needs them (after the catalogue has loaded), then shared.
  let pending: Promise<Outcome[]> | undefined;
  const outcomes = () => {
    pending ??= Promise.all(runs.map((values) => runTemplate(name, values, testCase.steps)));
    return pending;
  };

  it('runs to completion with rule agents, every metric finite, agents acting', async () => {
    for (const run of await outcomes()) {
      expect(run.result.status).toBe('completed');
      expect(run.recorder.failureReasons.error ?? 0).toBe(0);
      expect(run.recorder.notices).toEqual([]);
      for (const entry of run.recorder.series)
        for (const value of Object.values(entry.metrics)) expect(Number.isFinite(value)).toBe(true);
      const acted = Object.entries(run.recorder.actionCounts)
        .filter(([action]) => action !== 'wait')
        .reduce((total, [, count]) => total + count, 0);
      expect(acted).toBeGreaterThan(0);
    }
  });

  if (testCase.key) {
    const key = testCase.key;
    it(`changes its outcome with ${key.parameter} (${key.low} → ${key.high})`, async () => {
      const [lowRun, highRun] = (await outcomes()) as [Outcome, Outcome];
      key.check(lowRun, highRun);
    });
  }
});
