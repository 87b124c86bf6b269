-- 0002: event categories, events, their timeline, full-text search.

CREATE TABLE categories (
	code TEXT PRIMARY KEY,
	parent_code TEXT REFERENCES categories(code),
	name TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	department TEXT NOT NULL DEFAULT '',
	-- deadlines in working seconds per stage; handle per urgency
	register_s INTEGER NOT NULL DEFAULT 0,
	dispatch_s INTEGER NOT NULL DEFAULT 0,
	accept_s INTEGER NOT NULL DEFAULT 0,
	handle_s INTEGER NOT NULL DEFAULT 0,
	handle_urgent_s INTEGER NOT NULL DEFAULT 0,
	handle_critical_s INTEGER NOT NULL DEFAULT 0,
	verify_s INTEGER NOT NULL DEFAULT 0,
	close_s INTEGER NOT NULL DEFAULT 0,
	enabled INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	receipt TEXT NOT NULL UNIQUE,
	category TEXT NOT NULL REFERENCES categories(code),
	urgency INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	lon REAL,
	lat REAL,
	grid_code TEXT,
	org_path TEXT NOT NULL,          -- the grid's path, or the district's when outside every grid
	outside INTEGER NOT NULL DEFAULT 0,
	source TEXT NOT NULL,
	reporter_id INTEGER REFERENCES users(id),
	state TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	assignee TEXT NOT NULL DEFAULT '',
	level INTEGER NOT NULL DEFAULT 0,
	reworks INTEGER NOT NULL DEFAULT 0,
	supervisions INTEGER NOT NULL DEFAULT 0,
	pending INTEGER NOT NULL DEFAULT 0,
	ext_days INTEGER NOT NULL DEFAULT 0,
	stage_started_at INTEGER NOT NULL,
	deadline_at INTEGER,             -- NULL: no running deadline (terminal or paused)
	paused_left INTEGER NOT NULL DEFAULT 0,
	stage_total INTEGER NOT NULL DEFAULT 0,  -- working seconds the stage is allowed (with extensions)
	warn INTEGER NOT NULL DEFAULT 0, -- 0 none, 1 yellow (80 %), 2 red (overdue)
	warn_at INTEGER,                 -- when 80 % of the stage's working time is used
	escalate_at INTEGER,             -- when overdue work escalates (once per stage)
	merged_into INTEGER REFERENCES events(id),
	rating INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_at INTEGER
);
CREATE INDEX events_path ON events (org_path, id);
CREATE INDEX events_deadline ON events (deadline_at) WHERE deadline_at IS NOT NULL;
CREATE INDEX events_warn_at ON events (warn_at) WHERE warn_at IS NOT NULL;
CREATE INDEX events_escalate_at ON events (escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX events_near ON events (category, created_at, lon, lat);
CREATE INDEX events_reporter ON events (reporter_id) WHERE reporter_id IS NOT NULL;
CREATE INDEX events_state ON events (state, org_path);

CREATE TABLE event_actions (
	id INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES events(id),
	at INTEGER NOT NULL,
	actor_id INTEGER REFERENCES users(id), -- NULL: the system
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX event_actions_event ON event_actions (event_id, id);

CREATE VIRTUAL TABLE events_fts USING fts5 (
	title, description, address, content = 'events', content_rowid = 'id',
	tokenize = 'trigram');
CREATE TRIGGER events_fts_ai AFTER INSERT ON events BEGIN
	INSERT INTO events_fts (rowid, title, description, address)
	VALUES (new.id, new.title, new.description, new.address);
END;
CREATE TRIGGER events_fts_au AFTER UPDATE OF title, description, address ON events BEGIN
	INSERT INTO events_fts (events_fts, rowid, title, description, address)
	VALUES ('delete', old.id, old.title, old.description, old.address);
	INSERT INTO events_fts (rowid, title, description, address)
	VALUES (new.id, new.title, new.description, new.address);
END;

CREATE TABLE notifications (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	event_id INTEGER REFERENCES events(id),
	title TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	read_at INTEGER
);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- photos and documents, stored on disk by their SHA-256 (content-addressed)
CREATE TABLE attachments (
	id INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES events(id),
	sha256 TEXT NOT NULL,
	mime TEXT NOT NULL,
	size INTEGER NOT NULL,
	uploaded_by INTEGER REFERENCES users(id),
	uploaded_at INTEGER NOT NULL
);
CREATE INDEX attachments_event ON attachments (event_id, id);

-- every change of a category by an administrator, with the values before and after
CREATE TABLE category_changes (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL REFERENCES categories(code),
	user_id INTEGER REFERENCES users(id),
	at INTEGER NOT NULL,
	before TEXT NOT NULL,
	after TEXT NOT NULL
);
CREATE INDEX category_changes_code ON category_changes (code, id);

-- roll-ups for the cockpit, kept by triggers in the same transaction as the change:
-- counts by place and state, and reports/closures by local day (UTC+8) and place
CREATE TABLE event_counts (
	org_path TEXT NOT NULL,
	state TEXT NOT NULL,
	n INTEGER NOT NULL DEFAULT 0,
	overdue INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (org_path, state)
) WITHOUT ROWID;
CREATE TABLE event_daily (
	day INTEGER NOT NULL, -- days since 1970-01-01 in China Standard Time
	org_path TEXT NOT NULL,
	reported INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, org_path)
) WITHOUT ROWID;
CREATE TRIGGER event_counts_ai AFTER INSERT ON events BEGIN
	INSERT INTO event_counts (org_path, state, n, overdue) VALUES (new.org_path, new.state, 1, new.warn >= 2)
	ON CONFLICT (org_path, state) DO UPDATE SET n = n + 1, overdue = overdue + (new.warn >= 2);
	INSERT INTO event_daily (day, org_path, reported) VALUES ((new.created_at + 28800) / 86400, new.org_path, 1)
	ON CONFLICT (day, org_path) DO UPDATE SET reported = reported + 1;
END;
CREATE TRIGGER event_counts_au AFTER UPDATE OF state, warn, org_path ON events
WHEN old.state != new.state OR old.warn != new.warn OR old.org_path != new.org_path BEGIN
	UPDATE event_counts SET n = n - 1, overdue = overdue - (old.warn >= 2)
	WHERE org_path = old.org_path AND state = old.state;
	INSERT INTO event_counts (org_path, state, n, overdue) VALUES (new.org_path, new.state, 1, new.warn >= 2)
	ON CONFLICT (org_path, state) DO UPDATE SET n = n + 1, overdue = overdue + (new.warn >= 2);
END;
CREATE TRIGGER event_daily_closed AFTER UPDATE OF state ON events
WHEN new.state = 'closed' AND old.state != 'closed' BEGIN
	INSERT INTO event_daily (day, org_path, closed) VALUES ((new.closed_at + 28800) / 86400, new.org_path, 1)
	ON CONFLICT (day, org_path) DO UPDATE SET closed = closed + 1;
END;
CREATE TRIGGER event_daily_reopened AFTER UPDATE OF state ON events
WHEN old.state = 'closed' AND new.state != 'closed' BEGIN
	UPDATE event_daily SET closed = closed - 1
	WHERE day = (old.closed_at + 28800) / 86400 AND org_path = old.org_path;
END;
