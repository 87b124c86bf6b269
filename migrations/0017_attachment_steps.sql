-- 0017: each attachment names the timeline step it came with (issue 3: every transition
-- appends an action with its attachments).
--
-- A user's upload belongs to that user's next step on the event (the handler's photos to
-- their `handle`), set in the transaction of the step (store_event_update); a citizen's
-- photo, sent with the report, to the `report` step. Until then it is NULL: uploaded, not
-- yet used by a step.
ALTER TABLE attachments ADD COLUMN action_id INTEGER REFERENCES event_actions(id);

-- the attachments already there: the uploader's first step at or after the upload, and a
-- citizen's photo the report
UPDATE attachments SET action_id = (
	SELECT min(a.id) FROM event_actions a
	WHERE a.event_id = attachments.event_id AND a.actor_id = attachments.uploaded_by
		AND a.at >= attachments.uploaded_at)
WHERE uploaded_by IS NOT NULL;
UPDATE attachments SET action_id = (
	SELECT min(a.id) FROM event_actions a WHERE a.event_id = attachments.event_id)
WHERE uploaded_by IS NULL;
