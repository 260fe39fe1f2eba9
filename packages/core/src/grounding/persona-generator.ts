import { createRandom } from '../random';
import type { AgentDefinition, VariableDefinition } from '../scenario/scenario-schema';
import type { PersonasDefinition } from './grounding-schema';
import { type CustomerRecord, identifierOf, type SupplierRecord, type WorldSnapshot } from './world-snapshot';

/** A tie between a generated persona and another party, from the data. */
export interface PersonaRelationship {
  /** Agent id, or `company` for the company whose world this is. */
  with: string;
  kind: 'supplies' | 'buys-from' | 'oversees' | 'finances' | 'ships-for' | 'trades' | 'reports-on';
  detail: string;
}

/** A generated persona: the agent definition plus what it was drawn from. */
export interface GeneratedPersona {
  definition: AgentDefinition;
  /** The snapshot record it represents (`suppliers.csv row 1`), or the role template. */
  source: string;
  relationships: PersonaRelationship[];
  /** Levels at which the persona changes course, drawn from its data. */
  thresholds: Record<string, number>;
  /** Documents that name this party (its contract, letters), for the persona to cite. */
  documents?: string[];
}

/** The agent variables generated personas carry; added to the scenario when it does not declare them. */
export const personaVariables: Record<string, VariableDefinition> = {
  volume: {
    type: 'float',
    default: 0,
    min: 0,
    description: 'Volume from the company data (suppliers: per month; customers: per year)',
    visible: true,
  },
  unit_price: {
    type: 'float',
    default: 0,
    min: 0,
    description: 'Price per unit from the company data',
    visible: true,
  },
  lead_time_days: {
    type: 'float',
    default: 0,
    min: 0,
    description: 'Supplier lead time in days',
    visible: true,
  },
  reliability: {
    type: 'float',
    default: 1,
    min: 0,
    max: 1,
    description: 'Share of deliveries on time',
    visible: true,
  },
  price_floor: {
    type: 'float',
    default: 0,
    min: 0,
    description: 'Lowest price the persona accepts',
    visible: true,
  },
  commodity: {
    type: 'string',
    default: '',
    description: 'What a supplier supplies, from the company data',
    visible: true,
  },
};

type Role =
  | 'supplier'
  | 'customer'
  | 'procurement'
  | 'logistics'
  | 'financial'
  | 'commodity'
  | 'regulatory'
  | 'public';

/**
 * Which roles a category needs and how many of each (`all` = one per matching record). Supply
 * shocks centre on suppliers and procurement, logistics shocks on carriers, macro shocks on
 * finance and customers, regulatory ones on the regulator.
 */
export const roleAllocation: Record<string, Partial<Record<Role, number | 'all'>>> = {
  commodity: { supplier: 'all', procurement: 1, commodity: 1, financial: 1, customer: 2 },
  logistics: { supplier: 'all', logistics: 2, procurement: 1, customer: 2 },
  macro: { financial: 2, procurement: 1, customer: 'all', supplier: 'all', public: 1 },
  regulatory: { regulatory: 1, procurement: 1, financial: 1, supplier: 'all', public: 1 },
  disaster: { supplier: 'all', logistics: 1, procurement: 1, public: 1 },
  geopolitical: { supplier: 'all', regulatory: 1, commodity: 1, procurement: 1 },
  market: { customer: 'all', commodity: 1, financial: 1, supplier: 2 },
  social: { public: 2, customer: 'all', procurement: 1 },
  custom: { supplier: 'all', procurement: 1, customer: 'all' },
};

interface RoleTemplate {
  title: string;
  traits: Record<string, number>;
  goals: AgentDefinition['goals'];
  describe: (company: string) => string;
  kind: PersonaRelationship['kind'];
}

const templates: Record<Exclude<Role, 'supplier' | 'customer'>, RoleTemplate> = {
  procurement: {
    title: 'Head of Procurement',
    traits: { risk_aversion: 0.7, cooperation: 0.6, activity: 0.9 },
    goals: [{ description: 'keep enough stock to serve customers at an acceptable cost', weight: 1 }],
    describe: (company) => `Buys raw materials for ${company} and answers for running out.`,
    kind: 'oversees',
  },
  logistics: {
    title: 'Logistics Coordinator',
    traits: { risk_aversion: 0.5, cooperation: 0.7, activity: 0.9 },
    goals: [{ description: 'keep goods moving through ports and warehouses', weight: 1 }],
    describe: (company) => `Books freight and warehouse space for ${company}.`,
    kind: 'ships-for',
  },
  financial: {
    title: 'Finance Director',
    traits: { risk_aversion: 0.8, cooperation: 0.5, activity: 0.7 },
    goals: [{ description: 'protect margin and cash', weight: 1 }],
    describe: (company) => `Approves large purchases at ${company} and watches the margin.`,
    kind: 'finances',
  },
  commodity: {
    title: 'Commodity Trader',
    traits: { risk_aversion: 0.3, cooperation: 0.4, impulsiveness: 0.4, activity: 0.9 },
    goals: [{ description: 'profit from price moves', weight: 1 }],
    describe: () => 'Trades the commodities this company depends on.',
    kind: 'trades',
  },
  regulatory: {
    title: 'Regulator',
    traits: { risk_aversion: 0.6, cooperation: 0.5, activity: 0.6 },
    goals: [{ description: 'keep the market orderly and the rules followed', weight: 1 }],
    describe: () => 'Oversees trade and safety rules in the company’s markets.',
    kind: 'oversees',
  },
  public: {
    title: 'Public Voice',
    traits: { sociability: 0.7, cooperation: 0.5, activity: 0.6 },
    goals: [{ description: 'be informed and heard', weight: 1 }],
    describe: (company) => `A commentator who follows ${company} and its markets.`,
    kind: 'reports-on',
  },
};

function money(value: number | undefined, currency = 'EUR'): string {
  return value === undefined ? 'an unknown price' : `${currency} ${value.toLocaleString('en-GB')}`;
}

function jittered(base: Record<string, number>, seed: number, id: string): Record<string, number> {
  const random = createRandom(seed, ['persona', id]);
  return Object.fromEntries(
    Object.entries(base).map(([trait, value]) => [
      trait,
      Number(Math.min(1, Math.max(0, value + (random.next() - 0.5) * 0.1)).toFixed(3)),
    ]),
  );
}

function supplierPersona(
  supplier: SupplierRecord,
  company: string,
  seed: number,
  brain: string,
): GeneratedPersona {
  const id = `supplier-${identifierOf(supplier.name).replace(/_/g, '-')}`;
  const reliability = supplier.reliability ?? 0.9;
  const where = `${supplier.source.file}${supplier.source.sheet ? `#${supplier.source.sheet}` : ''} row ${supplier.source.row}`;
  const facts = [
    supplier.volume !== undefined
      ? `ships ${supplier.volume.toLocaleString('en-GB')} t of ${supplier.commodity ?? 'goods'} a month`
      : `supplies ${supplier.commodity ?? 'goods'}`,
    `at ${money(supplier.price)} per tonne`,
    supplier.contract ? `under contract ${supplier.contract}` : '',
    supplier.leadTimeDays !== undefined ? `with a lead time of ${supplier.leadTimeDays} days` : '',
    supplier.reliability !== undefined
      ? `and is on time ${Math.round(supplier.reliability * 100)}% of the time`
      : '',
  ].filter(Boolean);
  const priceFloor =
    supplier.price !== undefined ? Number((supplier.price * (0.95 + 0.04 * reliability)).toFixed(2)) : 0;
  return {
    definition: {
      id,
      name: supplier.name,
      role: 'supplier',
      persona: `${supplier.name}${supplier.country ? ` (${supplier.country})` : ''} ${facts.join(' ')} to ${company}.`,
      goals: [
        {
          description: 'keep revenue from this contract',
          maximize: 'self.volume * self.unit_price',
          weight: 1,
        },
      ],
      traits: jittered(
        { cooperation: 0.3 + 0.6 * reliability, risk_aversion: 0.5, activity: 0.85 },
        seed,
        id,
      ),
      brain,
      variables: {
        volume: supplier.volume ?? 0,
        unit_price: supplier.price ?? 0,
        lead_time_days: supplier.leadTimeDays ?? 0,
        reliability,
        price_floor: priceFloor,
        commodity: supplier.commodity ?? '',
      },
      jitter: 0,
    },
    source: where,
    relationships: [
      {
        with: 'company',
        kind: 'supplies',
        detail: `${supplier.commodity ?? 'goods'}${supplier.contract ? `, contract ${supplier.contract}` : ''}`,
      },
    ],
    thresholds: {
      price_floor: priceFloor,
      ...(supplier.leadTimeDays !== undefined ? { lead_time_days: supplier.leadTimeDays } : {}),
    },
  };
}

function customerPersona(
  customer: CustomerRecord,
  company: string,
  seed: number,
  brain: string,
): GeneratedPersona {
  const id = `customer-${identifierOf(customer.name).replace(/_/g, '-')}`;
  const where = `${customer.source.file}${customer.source.sheet ? `#${customer.source.sheet}` : ''} row ${customer.source.row}`;
  const switchAbove = customer.price !== undefined ? Number((customer.price * 1.08).toFixed(2)) : 0;
  return {
    definition: {
      id,
      name: customer.name,
      role: 'customer',
      persona: `${customer.name}, ${customer.segment ? `${/^[aeiou]/i.test(customer.segment) ? 'an' : 'a'} ${customer.segment}` : 'a'} customer${customer.region ? ` in ${customer.region}` : ''} buying ${customer.volume !== undefined ? `${customer.volume.toLocaleString('en-GB')} t a year` : 'regularly'} from ${company} at ${money(customer.price)} per tonne.`,
      goals: [{ description: 'secure supply at a fair price', maximize: 'self.volume', weight: 1 }],
      traits: jittered({ cooperation: 0.5, risk_aversion: 0.6, activity: 0.7 }, seed, id),
      brain,
      variables: { volume: customer.volume ?? 0, unit_price: customer.price ?? 0, price_floor: 0 },
      jitter: 0,
    },
    source: where,
    relationships: [{ with: 'company', kind: 'buys-from', detail: customer.segment ?? 'customer' }],
    thresholds: { switch_supplier_above_price: switchAbove },
  };
}

/** The roles (with counts, `all` = one per record) generated for a category and the scenario's overrides. */
export function plannedRoles(
  category: string,
  settings: PersonasDefinition,
): Array<[string, number | 'all']> {
  if (!settings.generate) return [];
  const allocation: Partial<Record<string, number | 'all'>> = {
    ...(roleAllocation[category] ?? roleAllocation.custom),
  };
  for (const [role, override] of Object.entries(settings.roles)) {
    if (override.count !== undefined) allocation[role] = override.count;
    else allocation[role] ??= 1;
  }
  return Object.entries(allocation).filter(
    (entry): entry is [string, number | 'all'] => entry[1] !== undefined && entry[1] !== 0,
  );
}

/** What the generator needs besides the snapshot. */
export interface PersonaRequest {
  category: string;
  seed: number;
  /** The company whose world it is, for persona text. @defaultValue 'the company' */
  company?: string;
  settings: PersonasDefinition;
  /** Agent ids the scenario already uses; generated ids never collide with them. */
  takenIds: ReadonlySet<string>;
  /** The documents (not tables) that name a party, when the scenario has documents. */
  documentsNaming?: (name: string) => string[];
}

/**
 * Personas for the roles the scenario's category needs, drawn from the snapshot: each supplier
 * persona is one of the company's suppliers with its real volume, price, lead time and contract;
 * customers likewise; staff roles come from role templates. Deterministic for a seed. The
 * `population` setting adds a background population whose variables are sampled from the given
 * distributions when the scenario is expanded.
 */
export function generatePersonas(snapshot: WorldSnapshot, request: PersonaRequest): GeneratedPersona[] {
  const { settings, seed } = request;
  if (!settings.generate) return [];
  const company = request.company ?? settings.company ?? 'the company';
  const personas: GeneratedPersona[] = [];
  for (const [role, wanted] of plannedRoles(request.category, settings)) {
    const brain = settings.roles[role]?.brain ?? settings.brain;
    if (role === 'supplier') {
      // Largest suppliers first: when the allocation caps the count, the ones that matter stay.
      const suppliers = [...snapshot.suppliers].sort(
        (a, b) => (b.volume ?? 0) - (a.volume ?? 0) || a.name.localeCompare(b.name),
      );
      const chosen = wanted === 'all' ? suppliers : suppliers.slice(0, wanted);
      personas.push(...chosen.map((supplier) => supplierPersona(supplier, company, seed, brain)));
    } else if (role === 'customer') {
      const customers = [...snapshot.customers].sort(
        (a, b) => (b.volume ?? 0) - (a.volume ?? 0) || a.name.localeCompare(b.name),
      );
      const chosen = wanted === 'all' ? customers : customers.slice(0, wanted);
      personas.push(...chosen.map((customer) => customerPersona(customer, company, seed, brain)));
    } else {
      const template = templates[role as keyof typeof templates] ?? {
        title: role.replace(
          /(^|[-_ ])(\w)/g,
          (_, space: string, letter: string) => `${space ? ' ' : ''}${letter.toUpperCase()}`,
        ),
        traits: { activity: 0.8 },
        goals: [{ description: `act as the ${role}`, weight: 1 }],
        describe: (name: string) => `Works with ${name}.`,
        kind: 'oversees' as const,
      };
      const count = wanted === 'all' ? 1 : wanted;
      for (let index = 1; index <= count; index++) {
        const id = `${role}-${index}`;
        const commodities = Object.keys(snapshot.prices);
        personas.push({
          definition: {
            id,
            name: count === 1 ? template.title : `${template.title} ${index}`,
            role,
            persona: `${template.describe(company)}${commodities.length > 0 ? ` Watches ${commodities.join(', ')} prices (baselines ${commodities.map((name) => `${name} ${money(snapshot.prices[name]?.price, snapshot.prices[name]?.currency)}`).join(', ')}).` : ''}`,
            goals: template.goals,
            traits: jittered(template.traits, seed, id),
            brain,
            variables: {},
            jitter: 0,
          },
          source: `role template ${role}`,
          relationships: [{ with: 'company', kind: template.kind, detail: template.title }],
          thresholds: {},
        });
      }
    }
  }
  for (const persona of personas) {
    const role = persona.definition.role;
    const named =
      role === 'supplier' || role === 'customer'
        ? request.documentsNaming?.(persona.definition.name ?? '')
        : undefined;
    if (named && named.length > 0) {
      // Only the names of the documents enter the persona: their text stays inside the document fence.
      persona.documents = named;
      persona.definition.persona = `${persona.definition.persona} Its agreements with ${company} are in ${named.join(', ')}.`;
    }
    const override = settings.roles[persona.definition.role];
    if (override?.goals) persona.definition.goals = override.goals as AgentDefinition['goals'];
    if (override?.actions) persona.definition.actions = override.actions;
    if (override?.traits) persona.definition.traits = { ...persona.definition.traits, ...override.traits };
    while (request.takenIds.has(persona.definition.id))
      persona.definition.id = `${persona.definition.id}-generated`;
  }
  const suppliers = personas.filter((persona) => persona.definition.role === 'supplier');
  for (const persona of personas) {
    if (persona.definition.role === 'procurement') {
      for (const supplier of suppliers) {
        persona.relationships.push({
          with: supplier.definition.id,
          kind: 'buys-from',
          detail: supplier.relationships[0]?.detail ?? '',
        });
      }
    }
  }
  if (settings.population) {
    const population = settings.population;
    personas.push({
      definition: {
        id: population.id,
        role: population.role,
        persona: `A member of the public who buys ${company}'s products.`,
        goals: [{ description: 'buy what they need at a fair price', weight: 1 }],
        traits: { activity: 0.3, sociability: 0.1, ...population.traits },
        brain: 'rules',
        variables: population.variables,
        count: population.count,
        jitter: 0.1,
      },
      source: `population of ${population.count} sampled from distributions`,
      relationships: [{ with: 'company', kind: 'buys-from', detail: 'consumer' }],
      thresholds: {},
    });
  }
  return personas;
}
