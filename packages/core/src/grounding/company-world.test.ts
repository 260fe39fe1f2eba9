import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent } from '../engine/run-events';
import type { Scenario } from '../scenario/scenario';
import { loadScenario, parseGroundedScenario, validateScenarioText } from '../scenario/scenario-loader';

const file = fileURLToPath(new URL('../../../../scenarios/examples/company-world.yaml', import.meta.url));

type Acted = Extract<RunEvent, { type: 'agent-acted' }>;

describe('a world built from scenarios/examples/company/', () => {
  let scenario: Scenario;
  let acted: Acted[];
  let failed: RunEvent[];
  const log: string[] = [];
  const strip = (event: RunEvent) => {
    const { wallTime: _wallTime, ...rest } = event;
    return JSON.stringify(rest);
  };
  let snapshotBefore: string;

  beforeAll(async () => {
    scenario = await loadScenario(file);
    snapshotBefore = JSON.stringify(scenario.grounding?.snapshot);
    const run = createEngine().createRun(scenario);
    acted = [];
    failed = [];
    run.subscribe((event) => {
      if (event.type === 'agent-acted') acted.push(event);
      if (event.type === 'agent-failed') failed.push(event);
      log.push(strip(event));
    });
    await run.start();
  });

  it('has supplier personas that are the company’s suppliers, with their volumes and contract terms', () => {
    const andes = scenario.agents.find((agent) => agent.id === 'supplier-andes-cocoa-cooperative');
    expect(andes).toMatchObject({
      name: 'Andes Cocoa Cooperative',
      role: 'supplier',
      variables: { volume: 300, unit_price: 7950, lead_time_days: 45, reliability: 0.92, commodity: 'cocoa' },
    });
    expect(andes?.persona).toContain(
      'ships 300 t of cocoa a month at EUR 7,950 per tonne under contract HVF-2026-014',
    );
    expect(andes?.persona).toContain('to Harbour & Vale Foods');
    expect(andes?.persona).toContain(
      'Its agreements with Harbour & Vale Foods are in company/supply-agreement-andes-cocoa.pdf.',
    );
    const suppliers = scenario.agents.filter((agent) => agent.role === 'supplier').map((agent) => agent.name);
    expect(suppliers.sort()).toEqual([
      'Andes Cocoa Cooperative',
      'Gold Coast Beans Ltd',
      'Rio Cane Exporters',
    ]);
    const report = scenario.grounding?.personas.find(
      (persona) => persona.id === 'supplier-andes-cocoa-cooperative',
    );
    expect(report).toMatchObject({
      source: 'company/suppliers.csv row 1',
      relationships: [{ with: 'company', kind: 'supplies', detail: 'cocoa, contract HVF-2026-014' }],
    });
  });

  it('has the two largest customers from the workbook, and staff roles for a logistics crisis', () => {
    const customers = scenario.agents.filter((agent) => agent.role === 'customer');
    expect(customers.map((agent) => [agent.name, agent.variables.volume])).toEqual([
      ['Brightmart Supermarkets', 4200],
      ['Nordbake Industrial', 2600],
    ]);
    expect(scenario.agents.map((agent) => agent.role)).toEqual(
      expect.arrayContaining(['operations', 'procurement', 'logistics']),
    );
  });

  it('starts the world from the data: bound variables and commodity baselines', () => {
    expect(scenario.variables.cocoa_price?.default).toBe(8200);
    expect(scenario.variables.cocoa_stock?.default).toBe(540);
    expect(scenario.variables.price_sugar?.default).toBe(510);
    expect(scenario.grounding?.warnings).toEqual([]);
  });

  it('runs with rule agents whose rationales cite the documents by document and page', () => {
    const cited = acted.filter((event) => / per \[company\/[^\]]+\]: "/.test(event.rationale ?? ''));
    const decided = acted.filter((event) => !event.rationale?.startsWith('held back'));
    expect(cited.length).toBe(decided.length);
    const pages = new Set(
      cited.flatMap(
        (event) =>
          /\[(company\/supply-agreement-andes-cocoa\.pdf p\.\d)\]/.exec(event.rationale ?? '')?.[1] ?? [],
      ),
    );
    expect(pages.size).toBeGreaterThanOrEqual(2);
    const strike = acted.find(
      (event) =>
        event.step > 5 &&
        event.step < 23 &&
        event.rationale?.includes('supply-agreement-andes-cocoa.pdf p.3'),
    );
    expect(strike?.rationale).toContain('A port closure or strike lasting more than 14 days');
    expect(acted.some((event) => event.tool === 'reroute_via_antwerp')).toBe(true);
    expect(failed).toEqual([]);
  });

  it('is reproducible: the same scenario and seed give the same event log', async () => {
    const again: string[] = [];
    const run = createEngine().createRun(await loadScenario(file));
    run.subscribe((event) => again.push(strip(event)));
    await run.start();
    expect(log.length).toBeGreaterThan(100);
    expect(again).toEqual(log);
  });

  it('leaves the snapshot as it was: the run worked on its own copy', () => {
    expect(JSON.stringify(scenario.grounding?.snapshot)).toBe(snapshotBefore);
    expect(Object.isFrozen(scenario.grounding?.snapshot.suppliers[0])).toBe(true);
  });

  it('builds the world of a copied scenario from the folder it names (a run folder’s scenario.yaml)', async () => {
    const { readFile } = await import('node:fs/promises');
    const copy = await parseGroundedScenario(await readFile(file, 'utf8'), {
      file: '/tmp/runs/some-run/scenario.yaml',
      worldDirectory: dirname(file),
    });
    expect(copy.grounding?.warnings).toEqual([]);
    expect(copy.agents.map((agent) => agent.id)).toEqual(scenario.agents.map((agent) => agent.id));
  });

  it('validates offline without reading the files (as `sandtable validate` does), with stand-ins for the personas', async () => {
    const { readFile } = await import('node:fs/promises');
    const validation = validateScenarioText(await readFile(file, 'utf8'), { file });
    expect(validation.issues).toEqual([]);
    expect(validation.scenario?.agents.map((agent) => agent.id)).toEqual([
      'coo',
      'supplier-from-data',
      'logistics-from-data',
      'procurement-from-data',
      'customer-from-data',
    ]);
    expect(validation.notes).toEqual([
      expect.stringContaining('generated from the company data when the scenario is loaded'),
    ]);
  });
});
