import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDefinition } from '@sandtable/core';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../command-io';
import { main } from '../main';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'examples');

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), isTty: false };
}

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
    const server = await SimulatedModelServer.start({
      reply: (request) => {
        const facts =
          request.messages.find((message) => message.content.startsWith('<facts>'))?.content ?? '';
        const name = /name: (.*)/.exec(facts)?.[1] ?? 'someone';
        // One persona is given an invented number, once: it is fed back and the retry is valid.
        const invented =
          name === 'North Mill' && !JSON.stringify(request.messages).includes('numbers not in the facts');
        return JSON.stringify({
          persona: `${name} is a steady partner that keeps its word${invented ? ' and ships 999 t' : ''} when ports close.`,
          traits: { cooperation: 0.7, risk_aversion: 0.4, activity: 0.8 },
        });
      },
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
    expect(text).toContain('North Mill is a steady partner that keeps its word when ports close.');
    expect(text).toContain('Head of Procurement is a steady partner');
    expect(server.requests().length).toBe(3);
    expect(io.stderr).toEqual([]);
  });

  it('fails on a folder that does not exist', async () => {
    const io = capture();
    expect(await main(['node', 'sandtable', 'world', join(examples, 'no-such-folder')], io)).toBe(1);
    expect(io.stderr[0]).toMatch(/no-such-folder: not found$/);
  });
});
