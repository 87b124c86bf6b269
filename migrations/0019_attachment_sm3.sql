-- 0019: each attachment's SM3 digest (GB/T 32905) beside its SHA-256, the address it is stored
-- under (issue 3: content-addressed, SHA-256/SM3). Computed while the upload streams in; NULL
-- for files stored before this migration (their bytes are still checked by their SHA-256).
ALTER TABLE attachments ADD COLUMN sm3 TEXT;
