-- 0007: personal data of the people behind reports, encrypted at rest.

-- The reporter's contact fields of an event, each sealed by src/core/crypt.c
-- (profile, key version, nonce, ciphertext, tag; NULL when not given) with
-- the context "events/<id>/<field>". key_version is the version that sealed
-- the row (all its fields), so `pingan key rotate` and start-up checks can
-- find rows under a given version without opening them. Blind indexes are
-- keyed hashes (hex) of the normalised phone and ID number for exact search.
-- A row exists only when a report carried contact data.
CREATE TABLE event_personal (
	event_id INTEGER PRIMARY KEY REFERENCES events(id),
	key_version INTEGER NOT NULL,
	name BLOB,
	phone BLOB,
	id_no BLOB,
	address BLOB,
	phone_bidx TEXT,
	id_no_bidx TEXT
);
CREATE INDEX event_personal_phone ON event_personal (phone_bidx) WHERE phone_bidx IS NOT NULL;
CREATE INDEX event_personal_id_no ON event_personal (id_no_bidx) WHERE id_no_bidx IS NOT NULL;
CREATE INDEX event_personal_version ON event_personal (key_version);

-- Every read of personal data in the clear: who, when, why, which fields.
-- (The audit log records these too once it exists; this table stays the
-- place to answer "who saw this person's data".)
CREATE TABLE personal_reads (
	id INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES events(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	at INTEGER NOT NULL,
	reason TEXT NOT NULL,
	fields TEXT NOT NULL,   -- comma-separated field names that were shown
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX personal_reads_event ON personal_reads (event_id, id);
CREATE INDEX personal_reads_user ON personal_reads (user_id, id);
