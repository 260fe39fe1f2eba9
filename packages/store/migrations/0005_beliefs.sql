-- Belief positions per step (GET /api/runs/:id/beliefs) are folded from a run's `beliefs-changed`
-- events, at most one per step and only for scenarios with a `beliefs` block. This partial index
-- finds them without reading the run's other events; events of other types never enter it.
CREATE INDEX events_beliefs ON events (run_id, sequence) WHERE type = 'beliefs-changed';
