-- 0006: the audit log: append-only, hash-chained, anchored by signed heads.

-- One row per audited act. seq runs 1, 2, 3… without gaps; hash is
-- SM3(prev || the record's fields, length-prefixed) in hex, prev the hash of
-- record seq-1 (64 zeros before the first, or the archived head after an
-- archive). See src/domain/audit.c for the exact bytes.
CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,                  -- unix seconds
	user_id INTEGER NOT NULL DEFAULT 0,   -- 0: nobody logged in, or the system
	username TEXT NOT NULL,               -- as given (failed logins), or the user's name
	ip TEXT NOT NULL,                     -- source address, '' for the CLI and the scheduler
	action TEXT NOT NULL,                 -- 'login', 'user.roles', 'event.dispatch'…
	object TEXT NOT NULL,                 -- 'user:12', 'event:345', 'category:0101'…
	outcome TEXT NOT NULL,                -- 'ok', 'failed', 'locked', 'throttled', 'denied'
	detail TEXT NOT NULL,                 -- short free text (never a secret)
	prev TEXT NOT NULL,
	hash TEXT NOT NULL
);
-- One index besides seq: the auditor's time ranges. Each index costs every
-- append (an event transition) about 1.5 us, so user, action and object
-- filters scan newest first by seq instead.
CREATE INDEX audit_log_at ON audit_log (at);

-- Signed heads: HMAC-SM3 over (seq, hash, at) with a key kept outside the
-- database (setting audit_key_file), and an SM2 signature of the same bytes
-- (setting audit_sign_key_file) anyone with the public key can check. A
-- chain cut short after an anchor, or recomputed after an edit, no longer
-- matches it.
CREATE TABLE audit_anchors (
	id INTEGER PRIMARY KEY,
	seq INTEGER NOT NULL,                 -- the head anchored (0: the empty log)
	hash TEXT NOT NULL,
	at INTEGER NOT NULL,
	alg TEXT NOT NULL,                    -- 'hmac-sm3'
	key_id TEXT NOT NULL,                 -- first 16 hex digits of SM3(key)
	mac TEXT NOT NULL,
	sig TEXT NOT NULL DEFAULT '',         -- SM2-with-SM3 signature, DER in hex ('' if none)
	sig_key_id TEXT NOT NULL DEFAULT ''   -- first 16 hex digits of SM3(DER public key)
);

-- Archives: records older than the retention may leave the database only
-- after a row here names them (through_seq and its hash, which the rest of
-- the chain continues from). No archive may reach records younger than 184
-- days (GB/T 22239-2019 keeps audit records at least six months).
CREATE TABLE audit_archives (
	id INTEGER PRIMARY KEY,
	through_seq INTEGER NOT NULL,
	through_hash TEXT NOT NULL,
	through_at INTEGER NOT NULL,          -- the newest archived record's time
	at INTEGER NOT NULL,
	file TEXT NOT NULL,                   -- where the operator put the archive
	file_sm3 TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN old.seq > (SELECT coalesce(max(through_seq), 0) FROM audit_archives)
BEGIN
	SELECT RAISE(ABORT, 'audit records cannot be deleted before they are archived');
END;
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
BEGIN
	SELECT RAISE(ABORT, 'audit anchors cannot be changed');
END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN
	SELECT RAISE(ABORT, 'audit anchors cannot be deleted');
END;
CREATE TRIGGER audit_archives_no_update BEFORE UPDATE ON audit_archives
BEGIN
	SELECT RAISE(ABORT, 'audit archives cannot be changed');
END;
CREATE TRIGGER audit_archives_no_delete BEFORE DELETE ON audit_archives
BEGIN
	SELECT RAISE(ABORT, 'audit archives cannot be deleted');
END;
CREATE TRIGGER audit_archives_retention BEFORE INSERT ON audit_archives
WHEN new.through_at > unixepoch() - 184 * 86400
BEGIN
	SELECT RAISE(ABORT, 'audit records younger than 184 days cannot be archived');
END;
