-- Sandtable store, first schema. Applied in one transaction by the migration runner
-- (packages/store/src/migrations.ts), recorded in sandtable_migrations. Never edit a migration
-- that has shipped: add the next numbered file instead.

CREATE TABLE workspaces (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- SHA-256 of the secret; the secret itself is shown once and never stored.
  secret_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE scenarios (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  latest_version integer NOT NULL,
  cloned_from_id text,
  cloned_from_version integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX scenarios_workspace ON scenarios (workspace_id, name);

CREATE TABLE scenario_versions (
  scenario_id text NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
  version integer NOT NULL,
  format text NOT NULL,
  source text NOT NULL,
  source_sha256 text NOT NULL,
  -- Where the text came from (a file path), so relative document paths still resolve.
  origin text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scenario_id, version)
);

CREATE TABLE runs (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scenario_id text NOT NULL REFERENCES scenarios(id),
  scenario_version integer NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  seed bigint NOT NULL,
  parameters json NOT NULL,
  options json NOT NULL,
  parent_run_id text REFERENCES runs(id),
  fork_step integer,
  last_step integer NOT NULL DEFAULT 0,
  last_sequence integer NOT NULL DEFAULT 0,
  total_steps integer NOT NULL,
  outcome text,
  reason text,
  error json,
  totals json NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  FOREIGN KEY (scenario_id, scenario_version) REFERENCES scenario_versions(scenario_id, version)
);
CREATE INDEX runs_workspace ON runs (workspace_id, created_at);
CREATE INDEX runs_status ON runs (status);

CREATE TABLE agents (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  agent_id text NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  role text NOT NULL,
  brain text NOT NULL,
  PRIMARY KEY (run_id, agent_id)
);

CREATE TABLE steps (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step integer NOT NULL,
  first_sequence integer NOT NULL,
  last_sequence integer NOT NULL,
  -- Every variable change of the step, in order: [{agentId?, variable, from, to}].
  deltas json NOT NULL,
  metrics json NOT NULL,
  -- The whole world after the step, every K steps (and the first).
  snapshot json,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, step)
);

CREATE TABLE events (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  sequence integer NOT NULL,
  step integer NOT NULL,
  type text NOT NULL,
  -- The event exactly as published (json, not jsonb: key order is kept).
  body json NOT NULL,
  PRIMARY KEY (run_id, sequence)
);

CREATE TABLE messages (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  sequence integer NOT NULL,
  step integer NOT NULL,
  sender text NOT NULL,
  recipient text,
  room text,
  broadcast boolean NOT NULL DEFAULT false,
  muted boolean NOT NULL DEFAULT false,
  text text NOT NULL,
  PRIMARY KEY (run_id, sequence)
);
CREATE INDEX messages_sender ON messages (run_id, sender, step);
CREATE INDEX messages_recipient ON messages (run_id, recipient, step);
CREATE INDEX messages_room ON messages (run_id, room, step);

-- Written as each call completes (not with the step), so a call finished before a crash is
-- reused on resume instead of being paid for again.
CREATE TABLE model_calls (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  step integer,
  agent_id text,
  target text NOT NULL,
  cassette_key text NOT NULL,
  -- The cassette entry: {key, request, response?, error?, metadata?}.
  entry json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE control_inputs (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  -- Applied at the boundary after this step (0: before the first step).
  after_step integer NOT NULL,
  kind text NOT NULL,
  input json NOT NULL,
  PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE metrics (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step integer NOT NULL,
  name text NOT NULL,
  value double precision,
  PRIMARY KEY (run_id, name, step)
);

CREATE TABLE evaluations (
  id text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind text NOT NULL,
  body json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluations_run ON evaluations (run_id, created_at);

CREATE TABLE briefs (
  id text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  format text NOT NULL,
  body text NOT NULL,
  data json,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX briefs_run ON briefs (run_id, created_at);
