-- Hot paths (docs/performance.md).
--
-- Duplicate candidates are looked up by map cell: a cell is 0.001 degree of
-- latitude by 0.001 of longitude (about 111 m by 96 m in Hangzhou), numbered
-- row * 360000 + column from (-90, -180); src/store/sqlite_events.c computes
-- the same number. The old index read every report of the category within the
-- time window, wherever it was.
ALTER TABLE events ADD COLUMN cell INTEGER;
UPDATE events SET cell = CAST((lat + 90) * 1000 AS INTEGER) * 360000 +
	CAST((lon + 180) * 1000 AS INTEGER)
WHERE lon IS NOT NULL AND lat IS NOT NULL;
DROP INDEX events_near;
CREATE INDEX events_cell ON events (category, cell, created_at) WHERE cell IS NOT NULL;

-- The search index takes new events once per commit (src/store/sqlite.c)
-- instead of from a trigger per insert: FTS5 writes out its pending terms at
-- every savepoint, so the trigger wrote one index segment per report.
-- meta 'fts_max_id' is the last event id in the index, moved in the same
-- transaction as the rows it covers.
DROP TRIGGER events_fts_ai;
INSERT INTO meta (key, value) VALUES ('fts_max_id', (SELECT coalesce(max(id), 0) FROM events))
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
DROP TRIGGER events_fts_au;
CREATE TRIGGER events_fts_au AFTER UPDATE OF title, description, address ON events
WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_max_id') BEGIN
	INSERT INTO events_fts (events_fts, rowid, title, description, address)
	VALUES ('delete', old.id, old.title, old.description, old.address);
	INSERT INTO events_fts (rowid, title, description, address)
	VALUES (new.id, new.title, new.description, new.address);
END;
