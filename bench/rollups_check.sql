-- rollups_check.sql - the roll-up tables the triggers keep (0002, 0009, 0015) and the
-- assessment facts (0005) against the same figures counted from the events themselves.
-- A tool for large databases (bench/load_events, scripts/bench.sh --keep DIR):
--   sqlite3 DIR/p.db < bench/rollups_check.sql
-- Prints one line per table with the number of rows that differ (0 everywhere: exact).
-- Rows whose counts are all zero are left out on both sides (a trigger leaves them).
CREATE TEMP VIEW want_counts AS
SELECT org_path, state, count(*) AS n, sum(warn >= 2) AS overdue FROM events
GROUP BY org_path, state;
CREATE TEMP VIEW have_counts AS
SELECT org_path, state, n, overdue FROM event_counts WHERE n != 0 OR overdue != 0;
CREATE TEMP VIEW want_reported AS
SELECT (created_at + 28800) / 86400 AS day, org_path, count(*) AS n FROM events
GROUP BY 1, 2;
CREATE TEMP VIEW have_reported AS
SELECT day, org_path, reported AS n FROM event_daily WHERE reported != 0;
CREATE TEMP VIEW want_closed AS
SELECT (closed_at + 28800) / 86400 AS day, org_path, count(*) AS n FROM events
WHERE state = 'closed' GROUP BY 1, 2;
CREATE TEMP VIEW have_closed AS
SELECT day, org_path, closed AS n FROM event_daily WHERE closed != 0;
CREATE TEMP VIEW want_assignee AS
SELECT org_path, assignee, count(*) AS n_open, sum(warn >= 2) AS n_overdue FROM events
WHERE state NOT IN ('closed', 'rejected', 'merged', 'voided') GROUP BY org_path, assignee;
CREATE TEMP VIEW have_assignee AS
SELECT org_path, assignee, n_open, n_overdue FROM event_assignee_counts
WHERE n_open != 0 OR n_overdue != 0;
CREATE TEMP VIEW want_category AS
SELECT org_path, category, count(*) AS n,
	sum(state NOT IN ('closed', 'rejected', 'merged', 'voided')) AS n_open,
	sum(state NOT IN ('closed', 'rejected', 'merged', 'voided') AND warn >= 2) AS n_overdue
FROM events GROUP BY org_path, category;
CREATE TEMP VIEW have_category AS
SELECT org_path, category, n, n_open, n_overdue FROM event_category_counts
WHERE n != 0 OR n_open != 0 OR n_overdue != 0;
CREATE TEMP VIEW want_facts AS
SELECT id, org_path, created_at, assignee, reporter_id, source, state, rating, reworks,
	closed_at FROM events;
CREATE TEMP VIEW have_facts AS
SELECT event_id, org_path, created_at, assignee, reporter_id, source, state, rating, reworks,
	closed_at FROM event_facts;
SELECT 'event_counts', (SELECT count(*) FROM (SELECT * FROM want_counts EXCEPT SELECT * FROM have_counts))
	+ (SELECT count(*) FROM (SELECT * FROM have_counts EXCEPT SELECT * FROM want_counts)),
	(SELECT count(*) FROM have_counts);
SELECT 'event_daily.reported', (SELECT count(*) FROM (SELECT * FROM want_reported EXCEPT SELECT * FROM have_reported))
	+ (SELECT count(*) FROM (SELECT * FROM have_reported EXCEPT SELECT * FROM want_reported)),
	(SELECT count(*) FROM have_reported);
SELECT 'event_daily.closed', (SELECT count(*) FROM (SELECT * FROM want_closed EXCEPT SELECT * FROM have_closed))
	+ (SELECT count(*) FROM (SELECT * FROM have_closed EXCEPT SELECT * FROM want_closed)),
	(SELECT count(*) FROM have_closed);
SELECT 'event_assignee_counts', (SELECT count(*) FROM (SELECT * FROM want_assignee EXCEPT SELECT * FROM have_assignee))
	+ (SELECT count(*) FROM (SELECT * FROM have_assignee EXCEPT SELECT * FROM want_assignee)),
	(SELECT count(*) FROM have_assignee);
SELECT 'event_category_counts', (SELECT count(*) FROM (SELECT * FROM want_category EXCEPT SELECT * FROM have_category))
	+ (SELECT count(*) FROM (SELECT * FROM have_category EXCEPT SELECT * FROM want_category)),
	(SELECT count(*) FROM have_category);
SELECT 'event_facts', (SELECT count(*) FROM (SELECT * FROM want_facts EXCEPT SELECT * FROM have_facts))
	+ (SELECT count(*) FROM (SELECT * FROM have_facts EXCEPT SELECT * FROM want_facts)),
	(SELECT count(*) FROM have_facts);
