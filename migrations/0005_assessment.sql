-- 0005: assessment. Per-event facts kept by triggers (so a month's indicators are
-- one aggregate over a narrow table, never a walk of the timelines), indicator
-- definitions and their history, population, manual items, period snapshots,
-- commendation lists, units and demonstration-unit designations; the assessor role.

-- the assessor role (考评员): user_roles is rebuilt with the wider CHECK
CREATE TABLE user_roles_new (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'security_admin', 'audit_admin', 'centre',
		'handler', 'grid_worker', 'mediator', 'inspector', 'leader', 'assessor')),
	PRIMARY KEY (user_id, role)
) WITHOUT ROWID;
INSERT INTO user_roles_new SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

-- one row per event: what assessment counts, kept in the same transaction as the change.
-- Clustered by place and report time, so a period's rows of one grid are one contiguous
-- range: a month is read sequentially, grid by grid, never row by row through an index.
CREATE TABLE event_facts (
	org_path TEXT NOT NULL,
	created_at INTEGER NOT NULL,        -- reported
	event_id INTEGER NOT NULL UNIQUE REFERENCES events(id),
	assignee TEXT NOT NULL DEFAULT '',  -- the department it was last dispatched to
	reporter_id INTEGER,
	source TEXT NOT NULL,
	state TEXT NOT NULL,
	rating INTEGER,
	registered_at INTEGER,              -- first registration (立案)
	register_late INTEGER NOT NULL DEFAULT 0,
	dispatched_at INTEGER,              -- first dispatch
	dispatches INTEGER NOT NULL DEFAULT 0,
	returns INTEGER NOT NULL DEFAULT 0,
	reworks INTEGER NOT NULL DEFAULT 0,
	extensions INTEGER NOT NULL DEFAULT 0, -- approved extensions
	handled_at INTEGER,                 -- last 'handle'
	handle_late INTEGER NOT NULL DEFAULT 0, -- the accept or handle stage ran past its deadline
	late INTEGER NOT NULL DEFAULT 0,    -- any stage ran past its deadline
	closed_at INTEGER,
	PRIMARY KEY (org_path, created_at, event_id)
) WITHOUT ROWID;
-- cases registered in a period but reported before it
CREATE INDEX event_facts_registered ON event_facts (registered_at, created_at)
	WHERE registered_at IS NOT NULL;

-- events already there: counts from their timelines; lateness only where an overdue mark
-- was recorded (a transition made late before this migration left no other trace)
INSERT INTO event_facts (event_id, org_path, assignee, reporter_id, source, state, rating,
	created_at, registered_at, register_late, dispatched_at, dispatches, returns, reworks,
	extensions, handled_at, handle_late, late, closed_at)
SELECT e.id, e.org_path, e.assignee, e.reporter_id, e.source, e.state, e.rating, e.created_at,
	(SELECT min(at) FROM event_actions a WHERE a.event_id = e.id AND a.action = 'register'),
	EXISTS (SELECT 1 FROM event_actions a WHERE a.event_id = e.id AND a.action = 'overdue'
		AND a.from_state = 'reported'),
	(SELECT min(at) FROM event_actions a WHERE a.event_id = e.id AND a.action = 'dispatch'),
	(SELECT count(*) FROM event_actions a WHERE a.event_id = e.id AND a.action = 'dispatch'),
	(SELECT count(*) FROM event_actions a WHERE a.event_id = e.id AND a.action = 'return'),
	e.reworks,
	(SELECT count(*) FROM event_actions a WHERE a.event_id = e.id
		AND a.action = 'approve_extension'),
	(SELECT max(at) FROM event_actions a WHERE a.event_id = e.id AND a.action = 'handle'),
	EXISTS (SELECT 1 FROM event_actions a WHERE a.event_id = e.id AND a.action = 'overdue'
		AND a.from_state IN ('dispatched', 'handling')),
	e.warn >= 2 OR EXISTS (SELECT 1 FROM event_actions a WHERE a.event_id = e.id
		AND a.action = 'overdue'),
	e.closed_at
FROM events e;

CREATE TRIGGER event_facts_ai AFTER INSERT ON events BEGIN
	INSERT INTO event_facts (event_id, org_path, assignee, reporter_id, source, state,
		created_at, late)
	VALUES (new.id, new.org_path, new.assignee, new.reporter_id, new.source, new.state,
		new.created_at, new.warn >= 2);
END;
-- a transition made after the deadline of the stage it leaves, or an overdue mark, is late
CREATE TRIGGER event_facts_au AFTER UPDATE ON events BEGIN
	UPDATE event_facts SET
		assignee = new.assignee, state = new.state,
		rating = new.rating, reworks = new.reworks, closed_at = new.closed_at,
		registered_at = CASE WHEN registered_at IS NULL AND old.state = 'reported'
			AND new.state = 'registered' THEN new.updated_at ELSE registered_at END,
		register_late = register_late OR (old.state = 'reported' AND (
			(new.state != old.state AND old.deadline_at IS NOT NULL
				AND new.updated_at > old.deadline_at)
			OR (new.state = old.state AND new.warn >= 2 AND old.warn < 2))),
		dispatches = dispatches + (new.state = 'dispatched'
			AND old.state IN ('registered', 'returned')),
		dispatched_at = coalesce(dispatched_at, CASE WHEN new.state = 'dispatched'
			AND old.state IN ('registered', 'returned') THEN new.updated_at END),
		returns = returns + (new.state = 'returned' AND old.state != 'returned'),
		handled_at = CASE WHEN new.state = 'handled' AND old.state != 'handled'
			THEN new.updated_at ELSE handled_at END,
		handle_late = handle_late OR (old.state IN ('dispatched', 'handling') AND (
			(new.state != old.state AND old.deadline_at IS NOT NULL
				AND new.updated_at > old.deadline_at)
			OR (new.state = old.state AND new.warn >= 2 AND old.warn < 2))),
		late = late OR (new.state != old.state AND old.deadline_at IS NOT NULL
				AND new.updated_at > old.deadline_at)
			OR (new.warn >= 2 AND old.warn < 2)
	WHERE event_id = new.id;
END;
-- the place is part of the key: rewritten only when it changes
CREATE TRIGGER event_facts_moved AFTER UPDATE OF org_path ON events
WHEN old.org_path != new.org_path BEGIN
	UPDATE event_facts SET org_path = new.org_path WHERE event_id = new.id;
END;
CREATE TRIGGER event_facts_extension AFTER INSERT ON event_actions
WHEN new.action = 'approve_extension' BEGIN
	UPDATE event_facts SET extensions = extensions + 1 WHERE event_id = new.event_id;
END;

-- indicator definitions (loaded from share/indicators/indicators.csv into an empty table)
CREATE TABLE assess_indicators (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	levels TEXT NOT NULL,          -- comma-separated: street,community,grid,department,grid_worker
	numerator TEXT NOT NULL,       -- an expression over measures
	denominator TEXT NOT NULL DEFAULT '', -- '' for a plain count
	scale REAL NOT NULL DEFAULT 1,
	unit TEXT NOT NULL,            -- count, ratio, hours, per10k
	direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
	weight REAL NOT NULL DEFAULT 0,
	bands TEXT NOT NULL DEFAULT '', -- "threshold:score,..." ('' : min-max among peers)
	min_cases INTEGER NOT NULL DEFAULT -1, -- -1: the setting assess_min_cases
	rank_small INTEGER NOT NULL DEFAULT 0, -- 1: rank even over a small denominator
	enabled INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE assess_indicator_changes (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL,
	version INTEGER NOT NULL,
	user_id INTEGER REFERENCES users(id),
	at INTEGER NOT NULL,
	before TEXT NOT NULL,
	after TEXT NOT NULL
);
CREATE INDEX assess_indicator_changes_code ON assess_indicator_changes (code, id);

-- residents per division, imported (never guessed)
CREATE TABLE assess_population (
	org_code TEXT PRIMARY KEY REFERENCES orgs(code),
	population INTEGER NOT NULL CHECK (population > 0),
	year INTEGER NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	updated_by INTEGER REFERENCES users(id),
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- manual items (加分/扣分): entered, then approved or rejected by another person
CREATE TABLE assess_adjustments (
	id INTEGER PRIMARY KEY,
	period TEXT NOT NULL,
	level TEXT NOT NULL,
	unit TEXT NOT NULL,
	unit_path TEXT NOT NULL,
	points REAL NOT NULL,
	reason TEXT NOT NULL,
	evidence TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	decided_by INTEGER REFERENCES users(id),
	decided_at INTEGER,
	decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assess_adjustments_period ON assess_adjustments (period, level, unit);
CREATE TABLE assess_adjustment_changes (
	id INTEGER PRIMARY KEY,
	adjustment_id INTEGER NOT NULL REFERENCES assess_adjustments(id),
	user_id INTEGER REFERENCES users(id),
	at INTEGER NOT NULL,
	action TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assess_adjustment_changes_adj ON assess_adjustment_changes (adjustment_id, id);

-- a closed period's results: each close or recompute is a new version, none is changed
CREATE TABLE assess_runs (
	id INTEGER PRIMARY KEY,
	period TEXT NOT NULL,
	from_at INTEGER NOT NULL,
	to_at INTEGER NOT NULL,
	version INTEGER NOT NULL,
	computed_at INTEGER NOT NULL,
	computed_by INTEGER REFERENCES users(id),
	reason TEXT NOT NULL DEFAULT '',
	definitions TEXT NOT NULL,     -- the indicators used, as JSON
	UNIQUE (period, version)
);
CREATE TABLE assess_scores (
	run_id INTEGER NOT NULL REFERENCES assess_runs(id),
	level TEXT NOT NULL,
	unit TEXT NOT NULL,
	name TEXT NOT NULL,
	unit_path TEXT NOT NULL,
	score REAL,                    -- NULL: no indicator to score on (unranked)
	manual REAL NOT NULL DEFAULT 0,
	rank INTEGER,
	tie INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (run_id, level, unit)
) WITHOUT ROWID;
CREATE TABLE assess_values (
	run_id INTEGER NOT NULL REFERENCES assess_runs(id),
	level TEXT NOT NULL,
	unit TEXT NOT NULL,
	indicator TEXT NOT NULL,
	num REAL,
	den REAL,
	value REAL,
	score REAL,
	small INTEGER NOT NULL DEFAULT 0,
	measures TEXT NOT NULL,        -- {"closed": 12, "due": 15}
	PRIMARY KEY (run_id, level, unit, indicator)
) WITHOUT ROWID;

-- commendation lists (candidates from the rules, then reviewed)
CREATE TABLE assess_commendations (
	id INTEGER PRIMARY KEY,
	period TEXT NOT NULL,
	rule TEXT NOT NULL,
	level TEXT NOT NULL,
	unit TEXT NOT NULL,
	name TEXT NOT NULL,
	unit_path TEXT NOT NULL,
	score REAL,
	basis TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'candidate'
		CHECK (status IN ('candidate', 'approved', 'rejected')),
	decided_by INTEGER REFERENCES users(id),
	decided_at INTEGER,
	note TEXT NOT NULL DEFAULT '',
	UNIQUE (period, rule, unit)
);

-- units (enterprises, schools, venues) registered to grids
CREATE TABLE units (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('enterprise', 'school', 'venue', 'hospital', 'market',
		'other')),
	grid_code TEXT NOT NULL REFERENCES orgs(code),
	org_path TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX units_path ON units (org_path, id);
CREATE INDEX units_grid ON units (grid_code);

-- demonstration-unit designations: applied/nominated, checked, approved, named, revoked
CREATE TABLE designations (
	id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES units(id),
	status TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'designated', 'revoked',
		'expired')),
	how TEXT NOT NULL CHECK (how IN ('application', 'nomination')),
	check_result TEXT NOT NULL DEFAULT '{}',
	valid_from INTEGER,
	valid_to INTEGER,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	decided_by INTEGER REFERENCES users(id),
	decided_at INTEGER,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX designations_unit ON designations (unit_id, id);
CREATE TABLE designation_changes (
	id INTEGER PRIMARY KEY,
	designation_id INTEGER NOT NULL REFERENCES designations(id),
	user_id INTEGER REFERENCES users(id),
	at INTEGER NOT NULL,
	from_status TEXT NOT NULL,
	to_status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX designation_changes_designation ON designation_changes (designation_id, id);
CREATE INDEX designations_status ON designations (status, unit_id);

-- a major incident (a critical event registered in the unit's grid) revokes the designation
CREATE TRIGGER designations_revoke AFTER UPDATE OF state ON events
WHEN old.state = 'reported' AND new.state = 'registered' AND new.urgency = 3
	AND new.grid_code IS NOT NULL BEGIN
	INSERT INTO designation_changes (designation_id, user_id, at, from_status, to_status, note)
	SELECT d.id, NULL, new.updated_at, 'designated', 'revoked',
		'major incident: event ' || new.id
	FROM designations d JOIN units u ON u.id = d.unit_id
	WHERE u.grid_code = new.grid_code AND d.status = 'designated';
	UPDATE designations SET status = 'revoked', decided_by = NULL, decided_at = new.updated_at,
		note = 'major incident: event ' || new.id
	WHERE status = 'designated'
		AND unit_id IN (SELECT id FROM units WHERE grid_code = new.grid_code);
END;
