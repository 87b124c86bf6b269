-- 0016: the duplicate look-up reads its index alone; the overdue index without an IN list.
--
-- A report looks for duplicates in the map cells around its point (0011): the newest
-- twenty open reports of its category in each cell. The index gave the cell and the
-- time, and each candidate was then read from the table for its point, state, place and
-- reporter: some twenty table pages a cell, read again after every commit (a reader's
-- page cache starts empty once the database has changed), most of the reads a durable
-- report made (docs/performance.md). The index now carries what the look-up tests and
-- the version it renders by (src/api/evcache.c), so the table is read only for the
-- candidates whose rendering is not kept.
--
-- events_overdue's condition was `state NOT IN (four states)`: SQLite tests a partial
-- index's condition on every insert and update of the table, and an IN list of more
-- than two constants builds an ephemeral b-tree each time (see 0015). Written as a chain
-- of comparisons; store_event_overdue_ids repeats it so the planner still uses it.
DROP INDEX events_cell;
CREATE INDEX events_cell ON events (category, cell, created_at, state, lon, lat, version,
	org_path, reporter_id) WHERE cell IS NOT NULL;
DROP INDEX events_overdue;
CREATE INDEX events_overdue ON events (deadline_at) WHERE warn >= 2
	AND state != 'closed' AND state != 'rejected' AND state != 'merged' AND state != 'voided';
