import { fieldValue, type TableKind, type TableMapping } from './column-mapping';
import type { GroundingWarning } from './grounding-error';
import type { RawTable } from './tabular-reader';

/** Where a record came from: file, sheet and 1-based data row. */
export interface RecordSource {
  file: string;
  sheet?: string;
  row: number;
}

/** A supplier as the company's data describes it. */
export interface SupplierRecord {
  name: string;
  country?: string;
  commodity?: string;
  /** Volume per month, in the file's unit. */
  volume?: number;
  price?: number;
  leadTimeDays?: number;
  /** On-time share, 0–1. */
  reliability?: number;
  contract?: string;
  source: RecordSource;
}

/** A customer as the company's data describes it. */
export interface CustomerRecord {
  name: string;
  segment?: string;
  /** Volume per year, in the file's unit. */
  volume?: number;
  price?: number;
  region?: string;
  source: RecordSource;
}

/** A stock position. */
export interface InventoryRecord {
  sku: string;
  item?: string;
  onHand?: number;
  dailyUsage?: number;
  location?: string;
  source: RecordSource;
}

/** A commodity's baseline price. */
export interface PriceRecord {
  commodity: string;
  price: number;
  unit?: string;
  currency?: string;
  source: RecordSource;
}

/** A contract listed in a table. */
export interface ContractRecord {
  id: string;
  counterparty?: string;
  commodity?: string;
  volume?: number;
  price?: number;
  start?: string;
  end?: string;
  source: RecordSource;
}

/**
 * A company's world as its files describe it: suppliers, customers, inventory, commodity
 * baselines and contracts, each record with its source. Built once, deep-frozen: a run reads it
 * and copies values into its own world state, so nothing a run does can change it.
 */
export interface WorldSnapshot {
  readonly suppliers: readonly SupplierRecord[];
  readonly customers: readonly CustomerRecord[];
  readonly inventory: readonly InventoryRecord[];
  /** Commodity baselines, keyed by lowercase commodity name. */
  readonly prices: Readonly<Record<string, PriceRecord>>;
  readonly contracts: readonly ContractRecord[];
  /** How each table was read, for the user to confirm. */
  readonly mappings: readonly TableMapping[];
}

/** Freezes an object graph, so any write to a snapshot throws in strict mode. */
export function deepFreeze<Value>(value: Value): Value {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function text(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function number(value: string | number | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function compact<Record extends object>(record: Record): Record {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record;
}

/**
 * Turns mapped tables into a frozen snapshot. Rows missing their key field (a supplier without a
 * name) are skipped with a warning naming file and row; duplicate prices keep the first.
 */
export function buildSnapshot(
  tables: ReadonlyArray<{ table: RawTable; mapping: TableMapping }>,
  warnings: GroundingWarning[],
): WorldSnapshot {
  const suppliers: SupplierRecord[] = [];
  const customers: CustomerRecord[] = [];
  const inventory: InventoryRecord[] = [];
  const prices: Record<string, PriceRecord> = {};
  const contracts: ContractRecord[] = [];
  for (const { table, mapping } of tables) {
    if (mapping.kind === 'ignore') continue;
    const kind: TableKind = mapping.kind;
    const where = table.sheet ? `${table.file}#${table.sheet}` : table.file;
    let skipped = 0;
    table.rows.forEach((row, index) => {
      const source: RecordSource = {
        file: table.file,
        ...(table.sheet ? { sheet: table.sheet } : {}),
        row: index + 1,
      };
      const get = (field: string) => fieldValue(row, mapping, field);
      switch (kind) {
        case 'suppliers': {
          const name = text(get('name'));
          if (!name) {
            skipped++;
            return;
          }
          suppliers.push(
            compact({
              name,
              country: text(get('country')),
              commodity: text(get('commodity'))?.toLowerCase(),
              volume: number(get('volume')),
              price: number(get('price')),
              leadTimeDays: number(get('lead_time_days')),
              reliability: number(get('reliability')),
              contract: text(get('contract')),
              source,
            }),
          );
          return;
        }
        case 'customers': {
          const name = text(get('name'));
          if (!name) {
            skipped++;
            return;
          }
          customers.push(
            compact({
              name,
              segment: text(get('segment')),
              volume: number(get('volume')),
              price: number(get('price')),
              region: text(get('region')),
              source,
            }),
          );
          return;
        }
        case 'inventory': {
          const sku = text(get('sku'));
          if (!sku) {
            skipped++;
            return;
          }
          inventory.push(
            compact({
              sku,
              item: text(get('item')),
              onHand: number(get('on_hand')),
              dailyUsage: number(get('daily_usage')),
              location: text(get('location')),
              source,
            }),
          );
          return;
        }
        case 'prices': {
          const commodity = text(get('commodity'))?.toLowerCase();
          const price = number(get('price'));
          if (!commodity || price === undefined) {
            skipped++;
            return;
          }
          prices[commodity] ??= compact({
            commodity,
            price,
            unit: text(get('unit')),
            currency: text(get('currency')),
            source,
          });
          return;
        }
        case 'contracts': {
          const id = text(get('id'));
          if (!id) {
            skipped++;
            return;
          }
          contracts.push(
            compact({
              id,
              counterparty: text(get('counterparty')),
              commodity: text(get('commodity'))?.toLowerCase(),
              volume: number(get('volume')),
              price: number(get('price')),
              start: text(get('start')),
              end: text(get('end')),
              source,
            }),
          );
          return;
        }
        default: {
          const unreachable: never = kind;
          throw new Error(`unknown table kind ${String(unreachable)}`);
        }
      }
    });
    if (skipped > 0) {
      warnings.push({
        code: 'WORLD_COLUMN_NOT_FOUND',
        file: where,
        message: `${skipped} row${skipped === 1 ? '' : 's'} without a key field skipped`,
      });
    }
  }
  return deepFreeze({
    suppliers,
    customers,
    inventory,
    prices,
    contracts,
    mappings: tables.map(({ mapping }) => mapping),
  });
}

/** An identifier-safe form of a name: `CB-100` → `cb_100`, `Cane sugar` → `cane_sugar`. */
export function identifierOf(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * Reads a value from the snapshot by path: `prices.<commodity>.<field>`,
 * `inventory.<sku>.<field>`, `suppliers.<name>.<field>`, `customers.<name>.<field>`,
 * `contracts.<id>.<field>` (names compared by their identifier form). Undefined when absent.
 */
export function snapshotValue(snapshot: WorldSnapshot, path: string): unknown {
  const [collection, key, field] = path.split('.') as [string, string | undefined, string | undefined];
  if (!key || !field) return undefined;
  const wanted = identifierOf(key);
  const camel = field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  let record: object | undefined;
  switch (collection) {
    case 'prices':
      record = Object.values(snapshot.prices).find((price) => identifierOf(price.commodity) === wanted);
      break;
    case 'inventory':
      record = snapshot.inventory.find((item) => identifierOf(item.sku) === wanted);
      break;
    case 'suppliers':
      record = snapshot.suppliers.find((supplier) => identifierOf(supplier.name) === wanted);
      break;
    case 'customers':
      record = snapshot.customers.find((customer) => identifierOf(customer.name) === wanted);
      break;
    case 'contracts':
      record = snapshot.contracts.find((contract) => identifierOf(contract.id) === wanted);
      break;
    default:
      return undefined;
  }
  if (!record) return undefined;
  const values = record as Record<string, unknown>;
  return values[camel] ?? values[field];
}
