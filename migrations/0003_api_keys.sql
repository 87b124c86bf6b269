-- 0003: API keys for Open311 clients, and what each Open311 request carried.

-- A key is 128 random bits shown once to the administrator who issues it;
-- only its SM3 digest is kept, like session tokens.
CREATE TABLE api_keys (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	jurisdiction TEXT NOT NULL,            -- the district code the key may report to
	key_hash TEXT NOT NULL UNIQUE,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	revoked_at INTEGER,                     -- NULL: in force
	last_used_at INTEGER,
	uses INTEGER NOT NULL DEFAULT 0
);

-- One row per event filed through Open311: which key filed it, and which
-- of the citizen's personal fields were given. The fields themselves are
-- not stored (bits: 1 email, 2 first_name, 4 last_name, 8 phone,
-- 16 device_id, 32 account_id, 64 media_url).
CREATE TABLE open311_requests (
	event_id INTEGER PRIMARY KEY REFERENCES events(id),
	api_key_id INTEGER NOT NULL REFERENCES api_keys(id),
	personal INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE INDEX open311_requests_key ON open311_requests (api_key_id);
