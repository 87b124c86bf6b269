-- 0018: every stage's deadline by urgency (issue 3: "deadline per stage and urgency").
--
-- 0002 gave urgent and critical events their own handling deadline only. Each other stage
-- now may have one too; 0 (the default, so every category keeps its deadlines) means "as the
-- lower urgency's": a critical stage without its own runs under the urgent one, an urgent one
-- under the normal one (domain/event.c, event_stage_seconds).
ALTER TABLE categories ADD COLUMN register_urgent_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN dispatch_urgent_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN accept_urgent_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN verify_urgent_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN close_urgent_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN register_critical_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN dispatch_critical_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN accept_critical_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN verify_critical_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN close_critical_s INTEGER NOT NULL DEFAULT 0;
