#!/usr/bin/env bash
# multiply_events.sh - makes a database of N x the events of a loaded one, for the
# figures that need more events than bench/load_events can add in the time at hand
# (10 000 000: docs/performance.md). A tool, not product code.
#
#   bench/multiply_events.sh DB COPIES
#
# DB holds events made by bench/load_events (scripts/bench.sh --keep DIR). Each copy
# k = 1..COPIES adds every event again with id + k * M (M the highest id before the
# first copy), receipt 'P' k and the original's last ten characters (the digits 0-9
# are not in the receipt alphabet, so they cannot collide), the original's report
# action, and its place, time, category and state. Like load_events it inserts each
# copy as a new report and then moves it to its state, so the roll-up and assessment
# triggers count it as they count any report and transition (bench/rollups_check.sql
# checks them). One statement per step, one copy after another, each committed.
#
# What differs from a loaded database: copies share their originals' times (each day
# has COPIES + 1 times the reports), their ids do not grow with created_at, and they
# are not in the search index (meta fts_max_id is moved past them, so the server does
# not index millions of rows in its first write): searches find the originals only.
set -euo pipefail
db=$1 copies=$2
M=$(sqlite3 "$db" "SELECT max(id) FROM events WHERE receipt LIKE 'PA%'")
[ -n "$M" ] || { echo "multiply_events: no events in $db" >&2; exit 1; }
echo "multiply_events: $copies copies of events 1..$M into $db"
for k in $(seq "$copies"); do
  off=$((k * M))
  if [ "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE id = $((off + 1))")" != 0 ]; then
    echo "  copy $k: already there"
    continue
  fi
  t0=$(date +%s)
  sqlite3 -cmd ".timeout 10000" "$db" <<SQL
PRAGMA cache_size = -1048576; -- 1 GB: the indexes of millions of rows
BEGIN IMMEDIATE;
INSERT INTO events (id, receipt, category, urgency, title, description, address, lon, lat,
	grid_code, org_path, outside, source, reporter_id, state, assignee, stage_started_at,
	deadline_at, created_at, updated_at, warn_at, escalate_at, stage_total, cell)
SELECT id + $off, 'P$k' || substr(receipt, 3), category, urgency, title, description,
	address, lon, lat, grid_code, org_path, outside, source, reporter_id, 'reported', '',
	created_at, NULL, created_at, created_at, NULL, NULL, 0, cell
FROM events WHERE id <= $M ORDER BY id;
INSERT INTO event_actions (event_id, at, actor_id, actor, action, from_state, to_state, note, data)
SELECT event_id + $off, at, actor_id, actor, action, from_state, to_state, note, data
FROM event_actions WHERE event_id <= $M AND action = 'report' ORDER BY id;
UPDATE events AS e SET state = o.state, version = o.version, assignee = o.assignee,
	level = o.level, reworks = o.reworks, supervisions = o.supervisions, pending = o.pending,
	ext_days = o.ext_days, stage_started_at = o.stage_started_at, deadline_at = o.deadline_at,
	paused_left = o.paused_left, warn = o.warn, merged_into = o.merged_into + $off,
	rating = o.rating, updated_at = o.updated_at, closed_at = o.closed_at,
	warn_at = o.warn_at, escalate_at = o.escalate_at, stage_total = o.stage_total
FROM events AS o WHERE o.id <= $M AND o.version > 1 AND e.id = o.id + $off;
UPDATE meta SET value = (SELECT max(id) FROM events) WHERE key = 'fts_max_id';
COMMIT;
SQL
  echo "  copy $k: $M events in $(( $(date +%s) - t0 )) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "multiply_events: $(sqlite3 "$db" "SELECT count(*) FROM events") events, $(du -m "$db" | cut -f1) MB"
