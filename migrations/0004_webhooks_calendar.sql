-- 0004: outgoing webhooks per department and their delivery log; holiday notices entered by an administrator.

CREATE TABLE webhooks (
	id INTEGER PRIMARY KEY,
	org_code TEXT NOT NULL REFERENCES orgs(code),
	url TEXT NOT NULL,
	secret TEXT NOT NULL, -- signs deliveries (HMAC-SHA256); encrypted at rest by the data-protection work
	kinds TEXT NOT NULL DEFAULT '', -- comma-separated notification kinds, '' for all
	enabled INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_org ON webhooks (org_code);

CREATE TABLE webhook_deliveries (
	id INTEGER PRIMARY KEY,
	webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
	event_id INTEGER REFERENCES events(id),
	kind TEXT NOT NULL,
	payload TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER,
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- holiday notices entered by an administrator (a year here replaces the year's file)
CREATE TABLE calendar_days (
	day TEXT PRIMARY KEY, -- YYYY-MM-DD
	year INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name TEXT NOT NULL DEFAULT '',
	updated_by INTEGER REFERENCES users(id),
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE calendar_years (
	year INTEGER PRIMARY KEY,
	updated_by INTEGER REFERENCES users(id),
	updated_at INTEGER NOT NULL
);
