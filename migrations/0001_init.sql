-- 0001: orgs, grids, users, roles, sessions, metadata.

CREATE TABLE orgs (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	parent_code TEXT REFERENCES orgs(code),
	kind TEXT NOT NULL CHECK (kind IN ('district', 'street', 'community', 'grid', 'department')),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	name_en TEXT NOT NULL DEFAULT '',
	path TEXT NOT NULL UNIQUE,
	depth INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_code, code);

CREATE TABLE grids (
	org_id INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
	geom BLOB NOT NULL,
	geojson TEXT NOT NULL,
	minx REAL NOT NULL,
	miny REAL NOT NULL,
	maxx REAL NOT NULL,
	maxy REAL NOT NULL,
	area_m2 REAL NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE COLLATE NOCASE,
	display_name TEXT NOT NULL,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	password_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	password_changed_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE user_roles (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'security_admin', 'audit_admin', 'centre',
		'handler', 'grid_worker', 'mediator', 'inspector', 'leader')),
	PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	ip TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
