-- 0008: second factors (TOTP) and restricted sessions.

-- One TOTP secret per user. A row starts pending (enabled = 0) when the
-- user asks to enrol and is enabled by the first correct code. The secret
-- is shown once, at enrolment, and never returned by the API again; it is
-- stored sealed with the personal-data key file ('sealed:' and hex), or in
-- base32 until a key file exists;
-- last_step is the last time step (unix seconds / 30) a code was accepted
-- for, so every code is single-use within its window.
CREATE TABLE user_totp (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	algorithm TEXT NOT NULL CHECK (algorithm IN ('sha1', 'sm3')),
	secret TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
	last_step INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	enabled_at INTEGER
) WITHOUT ROWID;

-- What a session may do: 0 everything its roles allow; 1 only enrol a
-- second factor (a role that requires one, none enrolled yet); 2 only
-- change the expired password.
ALTER TABLE sessions ADD COLUMN stage INTEGER NOT NULL DEFAULT 0 CHECK (stage IN (0, 1, 2));
