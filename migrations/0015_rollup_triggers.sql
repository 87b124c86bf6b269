-- 0015: the cockpit's roll-up triggers of 0009, without IN lists.
--
-- SQLite evaluates `x NOT IN ('closed', 'rejected', 'merged', 'voided')` (a list of
-- more than two constants) by building an ephemeral b-tree of the constants once per
-- statement, and a trigger body runs as a statement of its own for every row: each new
-- or changed event built six of them, each with a page cache of its own (a bulk
-- allocation of 20 pages, which glibc returned to the kernel and faulted in again).
-- That was most of the time of a bulk load (docs/performance.md). Written as a chain of
-- comparisons the test is a few opcodes. The counts are the same: state is NOT NULL, so
-- `s NOT IN (a, b, c, d)` and `(s != a AND s != b AND s != c AND s != d)` agree.
DROP TRIGGER event_rollups_ai;
DROP TRIGGER event_rollups_au;

CREATE TRIGGER event_rollups_ai AFTER INSERT ON events BEGIN
	INSERT INTO event_assignee_counts (org_path, assignee, n_open, n_overdue)
	SELECT new.org_path, new.assignee, 1, new.warn >= 2
	WHERE (new.state != 'closed' AND new.state != 'rejected' AND new.state != 'merged'
			AND new.state != 'voided')
	ON CONFLICT (org_path, assignee) DO UPDATE SET n_open = n_open + 1,
		n_overdue = n_overdue + excluded.n_overdue;
	INSERT INTO event_category_counts (org_path, category, n, n_open, n_overdue)
	VALUES (new.org_path, new.category, 1,
		(new.state != 'closed' AND new.state != 'rejected' AND new.state != 'merged'
			AND new.state != 'voided'),
		(new.state != 'closed' AND new.state != 'rejected' AND new.state != 'merged'
			AND new.state != 'voided') AND new.warn >= 2)
	ON CONFLICT (org_path, category) DO UPDATE SET n = n + 1, n_open = n_open + excluded.n_open,
		n_overdue = n_overdue + excluded.n_overdue;
END;
CREATE TRIGGER event_rollups_au AFTER UPDATE OF state, warn, org_path, assignee, category ON events
WHEN old.state != new.state OR old.warn != new.warn OR old.org_path != new.org_path
	OR old.assignee != new.assignee OR old.category != new.category BEGIN
	UPDATE event_assignee_counts SET n_open = n_open - 1, n_overdue = n_overdue - (old.warn >= 2)
	WHERE org_path = old.org_path AND assignee = old.assignee
		AND (old.state != 'closed' AND old.state != 'rejected' AND old.state != 'merged'
			AND old.state != 'voided');
	INSERT INTO event_assignee_counts (org_path, assignee, n_open, n_overdue)
	SELECT new.org_path, new.assignee, 1, new.warn >= 2
	WHERE (new.state != 'closed' AND new.state != 'rejected' AND new.state != 'merged'
			AND new.state != 'voided')
	ON CONFLICT (org_path, assignee) DO UPDATE SET n_open = n_open + 1,
		n_overdue = n_overdue + excluded.n_overdue;
	UPDATE event_category_counts SET n = n - 1,
		n_open = n_open - (old.state != 'closed' AND old.state != 'rejected'
			AND old.state != 'merged' AND old.state != 'voided'),
		n_overdue = n_overdue - (old.state != 'closed' AND old.state != 'rejected'
			AND old.state != 'merged' AND old.state != 'voided' AND old.warn >= 2)
	WHERE org_path = old.org_path AND category = old.category;
	INSERT INTO event_category_counts (org_path, category, n, n_open, n_overdue)
	VALUES (new.org_path, new.category, 1,
		(new.state != 'closed' AND new.state != 'rejected' AND new.state != 'merged'
			AND new.state != 'voided'),
		(new.state != 'closed' AND new.state != 'rejected' AND new.state != 'merged'
			AND new.state != 'voided') AND new.warn >= 2)
	ON CONFLICT (org_path, category) DO UPDATE SET n = n + 1, n_open = n_open + excluded.n_open,
		n_overdue = n_overdue + excluded.n_overdue;
END;
