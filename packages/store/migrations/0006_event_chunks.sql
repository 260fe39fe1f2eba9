-- Events in chunks. One row per event made a 10,000-agent step ~11,000–18,000 rows, and their
-- per-row costs (the foreign-key check on run_id, the primary-key entry, the tuple itself)
-- dominated the step's commit on PGlite. A row now holds one event or up to 1,000 consecutive
-- events of one write, keyed by the sequence of its LAST event, so "events after N" stays a
-- primary-key range scan. Only the events a step emits per agent (agent-acted, agent-failed,
-- message-sent, constraint-hit) are chunked; every other type keeps a row of its own, so reads
-- by type (beliefs-changed through events_beliefs, step-completed, state-changed) read no chunk.
-- Rows stored before this migration are single events (event_count 1) and stay as they are:
-- renaming a column and adding one with a constant default rewrite nothing.
ALTER TABLE events RENAME COLUMN sequence TO last_sequence;
ALTER TABLE events ADD COLUMN event_count integer NOT NULL DEFAULT 1;
ALTER TABLE events ADD CONSTRAINT events_event_count CHECK (event_count BETWEEN 1 AND 1000);
-- A chunk of several types has no one type; `types` then lists each event's, comma-separated.
ALTER TABLE events ALTER COLUMN type DROP NOT NULL;
ALTER TABLE events ADD COLUMN types text;
ALTER TABLE events ADD CONSTRAINT events_type_or_types CHECK ((type IS NULL) <> (types IS NULL));
