import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDefinition } from '@sandtable/core';
import { personaReplyFromFacts, SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main';
import { captureIo as capture } from '../test-support';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'examples');

const folders: string[] = [];

afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('sandtable world', () => {
  it('shows how a company folder was read: mapping, baselines, documents, personas', async () => {
    const io = capture();
    expect(
      await main(['node', 'sandtable', 'world', join(examples, 'company'), '--category', 'commodity'], io),
    ).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('suppliers.csv → suppliers');
    expect(text).toContain('volume ← "Monthly Volume (t)"');
    expect(text).toContain('Commodity baselines: cocoa EUR 8,200/tonne');
    expect(text).toContain('supply-agreement-andes-cocoa.pdf (pdf, 3 pages, 3 passages)');
    expect(text).toMatch(
      /supplier-andes-cocoa-cooperative — Andes Cocoa Cooperative \(supplier\), from suppliers\.csv row 1/,
    );
    expect(text).toContain('commodity-1 — Commodity Trader (commodity)');
    expect(io.stderr).toEqual([]);
  });

  it('prints the mapping of a scenario’s world in a form that pastes back under data.mapping', async () => {
    const io = capture();
    expect(await main(['node', 'sandtable', 'world', join(examples, 'company-world.yaml')], io)).toBe(0);
    const line = io.stdout.find((text) => text.startsWith('  to pin it: mapping: ')) ?? '';
    const mapping = JSON.parse(line.replace('  to pin it: mapping: ', ''));
    expect(mapping['company/suppliers.csv']).toEqual({
      kind: 'suppliers',
      columns: expect.objectContaining({ name: 'Supplier Name', volume: 'Monthly Volume (t)' }),
    });
    expect(mapping['company/company-data.xlsx#Prices'].kind).toBe('prices');
    expect(DataDefinition.safeParse({ files: ['company'], mapping }).success).toBe(true);
  });

  it('previews a scenario’s world, and prints JSON with --json', async () => {
    const io = capture();
    expect(
      await main(['node', 'sandtable', 'world', join(examples, 'company-world.yaml'), '--json'], io),
    ).toBe(0);
    const world = JSON.parse(io.stdout.join('\n'));
    expect(world.personas.map((persona: { name: string }) => persona.name)).toContain('Gold Coast Beans Ltd');
    expect(world.variables).toMatchObject({ cocoa_stock: 540, price_cocoa: 8200 });
  });

  it('lists each unusable file as a warning and still builds the rest', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sandtable-world-'));
    folders.push(folder);
    await writeFile(join(folder, 'vendors.csv'), 'Vendor,Qty\nNorth Mill,40\n');
    await writeFile(join(folder, 'deck.key'), 'not a document');
    const io = capture();
    expect(await main(['node', 'sandtable', 'world', folder], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('supplier-north-mill — North Mill (supplier)');
    expect(io.stderr).toEqual([
      '1 warning:',
      expect.stringMatching(/^ {2}deck\.key: WORLD_FILE_UNKNOWN_FORMAT: unknown format "\.key"/),
    ]);
  });

  it('has a model write the personas from the data with --write-personas (simulated server)', async () => {
    // North Mill is first given an invented volume: it is fed back and the retry is valid.
    const server = await SimulatedModelServer.start({
      reply: (request) => personaReplyFromFacts(request, { inventFor: ['North Mill'] }) ?? 'ok',
    });
    const folder = await mkdtemp(join(tmpdir(), 'sandtable-world-model-'));
    folders.push(folder);
    await writeFile(join(folder, 'vendors.csv'), 'Vendor,Qty\nNorth Mill,40\n');
    await writeFile(
      join(folder, 'models.yaml'),
      `endpoints:\n  sim: { provider: openai, baseUrl: "${server.openaiBaseUrl}", model: simulated-model }\ntiers: { smart: [sim] }\n`,
    );
    const io = capture();
    const code = await main(
      [
        'node',
        'sandtable',
        'world',
        join(folder, 'vendors.csv'),
        '--write-personas',
        '--model-config',
        join(folder, 'models.yaml'),
      ],
      io,
    );
    await server.close();
    expect(code).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain(
      'supplier-north-mill — North Mill (supplier), from vendors.csv row 1; written by smart',
    );
    expect(text).toContain('North Mill is a careful party that keeps its word when ports close.');
    expect(text).toContain('Head of Procurement is a careful party');
    expect(server.requests().length).toBe(3);
    expect(io.stderr).toEqual([]);
  });

  it('writes a scenario’s personas with its model when it sets personas.writer: model (simulated server)', async () => {
    const server = await SimulatedModelServer.start({
      reply: (request) => personaReplyFromFacts(request) ?? 'ok',
    });
    const folder = await mkdtemp(join(tmpdir(), 'sandtable-world-scenario-'));
    folders.push(folder);
    await symlink(join(examples, 'company'), join(folder, 'company'));
    const scenario = (await readFile(join(examples, 'company-world.yaml'), 'utf8')).replace(
      /^personas:\n/m,
      'personas:\n  writer: model\n',
    );
    await writeFile(join(folder, 'company-world.yaml'), scenario);
    await writeFile(
      join(folder, 'models.yaml'),
      `endpoints:\n  sim: { provider: openai, baseUrl: "${server.openaiBaseUrl}", model: simulated-model }\ntiers: { smart: [sim] }\n`,
    );
    const io = capture();
    const code = await main(
      [
        'node',
        'sandtable',
        'world',
        join(folder, 'company-world.yaml'),
        '--model-config',
        join(folder, 'models.yaml'),
      ],
      io,
    );
    await server.close();
    expect(code).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(
      /supplier-andes-cocoa-cooperative — Andes Cocoa Cooperative \(supplier\), from company\/suppliers\.csv row 1; written by smart; thresholds: price_floor 7610, lead_time_days 45/,
    );
    expect(text).toContain(
      'Andes Cocoa Cooperative is a careful party that keeps its word when ports close.',
    );
    expect(io.stderr).toEqual([]);

    // Without a model the personas come from the data, and a warning names why.
    const offline = capture();
    expect(await main(['node', 'sandtable', 'world', join(folder, 'company-world.yaml')], offline)).toBe(0);
    expect(offline.stdout.join('\n')).not.toContain('written by');
    expect(offline.stderr.join('\n')).toMatch(
      /personas: WORLD_PERSONA_NOT_WRITTEN: personas\.writer is "model" but no model serves "smart"/,
    );
  });

  it('fails on a folder that does not exist', async () => {
    const io = capture();
    expect(await main(['node', 'sandtable', 'world', join(examples, 'no-such-folder')], io)).toBe(1);
    expect(io.stderr[0]).toMatch(/no-such-folder: not found$/);
  });
});
