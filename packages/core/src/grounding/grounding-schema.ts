import { z } from 'zod';

/**
 * The scenario blocks that ground a simulation in a company's own files: `data` (tables that
 * become the world snapshot), `documents` (files agents search and cite) and `personas` (agents
 * generated from the snapshot). Paths are relative to the scenario file.
 */

/** Where a table's fields are, when the inferred mapping is wrong or incomplete. */
export const TableMappingOverride = z
  .object({
    kind: z
      .enum(['suppliers', 'customers', 'inventory', 'prices', 'contracts', 'ignore'])
      .optional()
      .describe('What the table lists; `ignore` leaves it out of the snapshot'),
    columns: z
      .record(z.string(), z.string())
      .default({})
      .describe('Snapshot field → column header, e.g. { volume: "Qty per month" }'),
  })
  .strict();

/** Tables (CSV, XLSX, JSON) that become the immutable world snapshot. */
export const DataDefinition = z
  .object({
    files: z.array(z.string().min(1)).min(1).describe('Files or folders, relative to the scenario file'),
    mapping: z
      .record(z.string(), TableMappingOverride)
      .default({})
      .describe('Overrides per table, keyed by file name or `file#sheet`'),
    bind: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        'Scenario variable → snapshot value (`prices.cocoa.price`, `inventory.CB-100.on_hand`); sets the variable’s starting value',
      ),
  })
  .strict();

/** Files agents can search (`search_documents`) and cite. */
export const DocumentsDefinition = z
  .object({
    files: z.array(z.string().min(1)).min(1).describe('Files or folders, relative to the scenario file'),
    max_file_bytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024)
      .describe('Larger files are skipped with a warning'),
    chunk_characters: z.number().int().min(200).max(8000).default(900).describe('Target passage size'),
    passages: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(2)
      .describe('Passages retrieved into each agent’s observation per step'),
  })
  .strict();

/** How one generated role behaves, overriding the built-in role template. */
export const PersonaRoleOverride = z
  .object({
    count: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('How many agents of this role (suppliers: at most one per supplier)'),
    brain: z.string().min(1).optional(),
    goals: z.array(z.record(z.string(), z.unknown())).optional().describe('Goals, as in an agent definition'),
    actions: z.array(z.string()).optional(),
    traits: z.record(z.string(), z.number().min(0).max(1)).optional(),
  })
  .strict();

/** Agents generated from the world snapshot and the scenario category. */
export const PersonasDefinition = z
  .object({
    generate: z.boolean().default(true),
    company: z.string().min(1).optional().describe('The company whose world this is, named in persona texts'),
    brain: z
      .string()
      .min(1)
      .default('rules')
      .describe('Brain of generated agents unless a role says otherwise'),
    writer: z
      .enum(['data', 'model'])
      .default('data')
      .describe(
        '`data`: persona texts, traits and thresholds drawn from the data and role templates; `model`: written by a model when the scenario is loaded, checked against the data (names, volumes, prices and contract terms stay the snapshot’s), recorded with the run; without a model they are drawn from the data, with a warning',
      ),
    writer_tier: z
      .string()
      .min(1)
      .default('smart')
      .describe(
        'The model that writes personas (`writer: model`): a tier, an endpoint id or `endpoint/model`',
      ),
    writer_attempts: z
      .number()
      .int()
      .min(1)
      .max(6)
      .default(3)
      .describe('Model calls per persona, the first included; each retry shows the model what was wrong'),
    roles: z
      .record(z.string(), PersonaRoleOverride)
      .default({})
      .describe('Per-role overrides; roles not listed follow the category’s allocation'),
    population: z
      .object({
        id: z.string().min(1).default('consumers'),
        role: z.string().min(1).default('consumer'),
        count: z.number().int().positive(),
        variables: z
          .record(
            z.string(),
            z.union([
              z.object({ min: z.number(), max: z.number() }).strict(),
              z.object({ mean: z.number(), sd: z.number().nonnegative() }).strict(),
              z.number(),
            ]),
          )
          .default({}),
        traits: z.record(z.string(), z.number().min(0).max(1)).default({}),
      })
      .strict()
      .optional()
      .describe('A background population sampled from distributions (e.g. 5,000 consumers)'),
  })
  .strict();

/**
 * Long-term memory: lines that fall out of an agent's memory window are archived, summarised in
 * blocks and recalled by relevance. Without this block it is on for model-backed agents only.
 */
export const MemoryDefinition = z
  .object({
    long_term: z
      .boolean()
      .default(true)
      .describe('Archive and recall memories for every agent, rule agents too'),
    recall: z.number().int().min(0).max(10).default(3).describe('Archived memories recalled per step'),
    block: z.number().int().min(2).max(100).default(10).describe('Archived lines summarised together'),
  })
  .strict();

export type DataDefinition = z.output<typeof DataDefinition>;
export type DocumentsDefinition = z.output<typeof DocumentsDefinition>;
export type PersonasDefinition = z.output<typeof PersonasDefinition>;
export type MemoryDefinition = z.output<typeof MemoryDefinition>;
export type TableMappingOverride = z.output<typeof TableMappingOverride>;
