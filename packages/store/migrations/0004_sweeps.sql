-- Sweeps: one scenario version over parameter settings × seeds, each member a stored run that
-- the server's run manager executes like any other. `definition` is the validated sweep
-- (seeds, grid, random samples, steps, parallel, metrics) from which the members are expanded
-- again on every start, so a sweep interrupted by a restart goes on where it was.
CREATE TABLE sweeps (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scenario_id text NOT NULL REFERENCES scenarios(id),
  scenario_version integer NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  definition json NOT NULL,
  total_runs integer NOT NULL,
  parallel integer NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  FOREIGN KEY (scenario_id, scenario_version) REFERENCES scenario_versions(scenario_id, version)
);
CREATE INDEX sweeps_workspace ON sweeps (workspace_id, created_at);
CREATE INDEX sweeps_status ON sweeps (status);

-- Which run is which member of a sweep (member = the index in the expanded plan). The primary
-- key makes creating a member idempotent across restarts; `result` is what the sweep keeps of the
-- run once it has ended (status, outcome, steps, each metric's final value), so aggregating never
-- re-reads the members' events.
CREATE TABLE sweep_members (
  sweep_id text NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  member integer NOT NULL,
  run_id text NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
  result json,
  PRIMARY KEY (sweep_id, member)
);
