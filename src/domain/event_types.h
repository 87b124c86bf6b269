/*
 * event_types.h - the plain structs of events, shared by the domain
 * (event.h) and the store (store.h), which must not include each other's
 * headers in a circle.
 */
#ifndef PINGAN_DOMAIN_EVENT_TYPES_H
#define PINGAN_DOMAIN_EVENT_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/workflow.h"

struct category {
	char code[8];
	char parent[8];
	const char *name, *name_en;
	char department[8];                 /* "D01": relative to the district */
	long long stage_s[WF_STAGE__COUNT]; /* working seconds per stage, normal urgency */
	/* by urgency, stage by stage: urgent (2) and critical (3) events run
	 * under these when they are set (non-zero); a critical stage without
	 * its own runs under the urgent one, an urgent one under stage_s */
	long long urgent_s[WF_STAGE__COUNT], critical_s[WF_STAGE__COUNT];
	bool enabled;
};

struct event {
	long long id;
	const char *receipt;
	const char *category;
	int urgency; /* 1 normal, 2 urgent, 3 critical */
	const char *title, *description, *address;
	bool has_point;
	double lon, lat;
	const char *grid_code; /* "" when outside every grid */
	const char *org_path;
	bool outside;
	const char *source;    /* "grid_worker", "citizen", "department", "centre", "open311" */
	long long reporter_id; /* 0: none */
	int state;             /* enum ev_state */
	int version;
	const char *assignee; /* department code, "" when none */
	int level, reworks, supervisions;
	unsigned pending; /* WF_PENDING_* */
	int ext_days;
	long long stage_started_at;
	long long deadline_at; /* 0: none running */
	long long paused_left;
	long long stage_total; /* working seconds the stage is allowed, extensions included */
	int warn;              /* 0, 1 yellow, 2 red */
	long long warn_at;     /* 0: none pending */
	long long escalate_at; /* 0: none pending */
	long long merged_into;
	int rating;
	long long created_at, updated_at, closed_at;
	/* set by a read with an event_probe that knew this version: the
	 * caller's rendering of it (cached_len bytes); only id, version and
	 * what the read names besides are filled in then */
	const char *cached;
	size_t cached_len;
};

struct arena;
/* Asked by a list for each row's id and version: a copy in the arena of
 * the caller's rendering of exactly that version (its length in *len), or
 * NULL to have the row read in full. */
struct event_probe {
	const char *(*get)(void *ctx, struct arena *a, long long id, int version, size_t *len);
	void *ctx;
};

struct event_action {
	long long id, event_id, at;
	long long actor_id; /* 0: the system */
	const char *actor;
	const char *action;
	const char *from, *to;
	const char *note;
	const char *data;        /* JSON object text */
	const char *attachments; /* the ids of the attachments it came with, "1,2" or "" */
};

struct attachment {
	long long id, event_id;
	char sha256[65]; /* the address it is stored under */
	char sm3[65];    /* its SM3; "" for files stored before migration 0019 */
	const char *mime;
	long long size;
	long long uploaded_by, uploaded_at;
	long long action_id; /* the timeline step it came with; 0: none yet */
};

struct webhook {
	long long id;
	const char *org_code, *url, *secret, *kinds;
	bool enabled;
	long long created_by, created_at;
};

struct delivery {
	long long id, webhook_id, event_id;
	const char *kind, *payload, *status;
	int attempts;
	long long next_at;
	int last_status;
	const char *last_error;
	long long created_at, delivered_at;
	const char *url, *secret; /* of its webhook (due deliveries) */
};

struct notification {
	long long id;
	const char *kind; /* assigned, returned, warning, overdue, escalated, supervised, merged */
	long long event_id;
	const char *title;
	long long created_at, read_at;
};

/* list totals are counted exactly up to this many */
#define EVENT_TOTAL_CAP 10000

struct event_filter {
	const char *states;   /* comma-separated state names (at most 12), or NULL */
	const char *category; /* a class ("01") or category ("0101") */
	const char *org;      /* an org code: its subtree */
	const char *grid;
	const char *assignee;
	int urgency;
	long long from, to;  /* created_at range, 0: open */
	int overdue;         /* 0: any, 1: overdue only, 2: not overdue */
	const char *q;       /* full-text, 3 characters or more */
	const char *sources; /* comma-separated sources (e.g. "open311,citizen"), or NULL */
	long long before_id; /* cursor: ids below this */
	int limit;
	/* exact search on the reporter's phone or ID number: the blind-index
	 * column ("phone_bidx" or "id_no_bidx") and the value's index under
	 * each of the newest key versions (hex, at most 4) */
	const char *bidx_col;
	const char *bidx[4];
	int nbidx;
	bool no_total; /* leave *total alone (pages of an export): no count query */
	const struct event_probe *probe; /* NULL: read every row in full */
};

#endif
