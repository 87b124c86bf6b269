-- Citizens' photos (docs/api.md, Public reports).
--
-- A public report's answer carries a photo token, shown once; the table keeps
-- only its SHA-256 (hex) and how many photos the token has added, so the
-- citizen who filed the report, and nobody else, may add a few photos within
-- public_photo_window seconds. The photos are ordinary attachments
-- (uploaded_by NULL: not a user), read by staff only.
ALTER TABLE public_reports ADD COLUMN photo_token TEXT NOT NULL DEFAULT '';
ALTER TABLE public_reports ADD COLUMN photos INTEGER NOT NULL DEFAULT 0;
