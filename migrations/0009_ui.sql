-- 0009: what the web application needs: saved list filters, idempotent reports from
-- offline queues, public (anonymous) reports, and roll-ups for the cockpit by
-- department and by category.

-- a user's named filters of the event list (the list's query string)
CREATE TABLE saved_filters (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	query TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (user_id, name)
);

-- a report sent with a client-generated id (an offline queue): the same reporter
-- sending the same id again gets the event already made
CREATE TABLE event_clients (
	reporter_id INTEGER NOT NULL REFERENCES users(id),
	client_id TEXT NOT NULL,
	event_id INTEGER NOT NULL REFERENCES events(id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (reporter_id, client_id)
) WITHOUT ROWID;

-- reports filed through the public form (no login); the contact the citizen gave,
-- if any, is personal data: never shown by the public endpoints
CREATE TABLE public_reports (
	event_id INTEGER PRIMARY KEY REFERENCES events(id),
	contact TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);

-- open and overdue events by place and department ('' : not dispatched), and all,
-- open and overdue events by place and category; kept by triggers in the same
-- transaction as the change, like event_counts (0002)
CREATE TABLE event_assignee_counts (
	org_path TEXT NOT NULL,
	assignee TEXT NOT NULL,
	n_open INTEGER NOT NULL DEFAULT 0,
	n_overdue INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (org_path, assignee)
) WITHOUT ROWID;
CREATE TABLE event_category_counts (
	org_path TEXT NOT NULL,
	category TEXT NOT NULL,
	n INTEGER NOT NULL DEFAULT 0,
	n_open INTEGER NOT NULL DEFAULT 0,
	n_overdue INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (org_path, category)
) WITHOUT ROWID;

INSERT INTO event_assignee_counts (org_path, assignee, n_open, n_overdue)
SELECT org_path, assignee, count(*), sum(warn >= 2) FROM events
WHERE state NOT IN ('closed', 'rejected', 'merged', 'voided') GROUP BY org_path, assignee;
INSERT INTO event_category_counts (org_path, category, n, n_open, n_overdue)
SELECT org_path, category, count(*),
	sum(state NOT IN ('closed', 'rejected', 'merged', 'voided')),
	sum(state NOT IN ('closed', 'rejected', 'merged', 'voided') AND warn >= 2)
FROM events GROUP BY org_path, category;

CREATE TRIGGER event_rollups_ai AFTER INSERT ON events BEGIN
	INSERT INTO event_assignee_counts (org_path, assignee, n_open, n_overdue)
	SELECT new.org_path, new.assignee, 1, new.warn >= 2
	WHERE new.state NOT IN ('closed', 'rejected', 'merged', 'voided')
	ON CONFLICT (org_path, assignee) DO UPDATE SET n_open = n_open + 1,
		n_overdue = n_overdue + excluded.n_overdue;
	INSERT INTO event_category_counts (org_path, category, n, n_open, n_overdue)
	VALUES (new.org_path, new.category, 1,
		new.state NOT IN ('closed', 'rejected', 'merged', 'voided'),
		new.state NOT IN ('closed', 'rejected', 'merged', 'voided') AND new.warn >= 2)
	ON CONFLICT (org_path, category) DO UPDATE SET n = n + 1, n_open = n_open + excluded.n_open,
		n_overdue = n_overdue + excluded.n_overdue;
END;
CREATE TRIGGER event_rollups_au AFTER UPDATE OF state, warn, org_path, assignee, category ON events
WHEN old.state != new.state OR old.warn != new.warn OR old.org_path != new.org_path
	OR old.assignee != new.assignee OR old.category != new.category BEGIN
	UPDATE event_assignee_counts SET n_open = n_open - 1, n_overdue = n_overdue - (old.warn >= 2)
	WHERE org_path = old.org_path AND assignee = old.assignee
		AND old.state NOT IN ('closed', 'rejected', 'merged', 'voided');
	INSERT INTO event_assignee_counts (org_path, assignee, n_open, n_overdue)
	SELECT new.org_path, new.assignee, 1, new.warn >= 2
	WHERE new.state NOT IN ('closed', 'rejected', 'merged', 'voided')
	ON CONFLICT (org_path, assignee) DO UPDATE SET n_open = n_open + 1,
		n_overdue = n_overdue + excluded.n_overdue;
	UPDATE event_category_counts SET n = n - 1,
		n_open = n_open - (old.state NOT IN ('closed', 'rejected', 'merged', 'voided')),
		n_overdue = n_overdue - (old.state NOT IN ('closed', 'rejected', 'merged', 'voided')
			AND old.warn >= 2)
	WHERE org_path = old.org_path AND category = old.category;
	INSERT INTO event_category_counts (org_path, category, n, n_open, n_overdue)
	VALUES (new.org_path, new.category, 1,
		new.state NOT IN ('closed', 'rejected', 'merged', 'voided'),
		new.state NOT IN ('closed', 'rejected', 'merged', 'voided') AND new.warn >= 2)
	ON CONFLICT (org_path, category) DO UPDATE SET n = n + 1, n_open = n_open + excluded.n_open,
		n_overdue = n_overdue + excluded.n_overdue;
END;

-- the cockpit's overdue list: open overdue events of a place, longest overdue first
CREATE INDEX events_overdue ON events (deadline_at) WHERE warn >= 2
	AND state NOT IN ('closed', 'rejected', 'merged', 'voided');
