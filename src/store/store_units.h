/*
 * store_units.h - units (enterprises, schools, venues...) registered to
 * grids, and their demonstration-unit designations (平安示范单位) with the
 * history of every status change (sqlite_units.c).
 *
 * A designation goes applied -> designated (approved, with a validity
 * period) or rejected; designated -> revoked, by a person or by the
 * database itself when a critical event is registered in the unit's grid
 * (trigger designations_revoke, migration 0005). Same conventions as
 * store.h: strings from the caller's arena, scope in the SQL.
 */
#ifndef PINGAN_STORE_STORE_UNITS_H
#define PINGAN_STORE_STORE_UNITS_H

#include "store/store.h"

struct unit {
	long long id;
	const char *name, *kind, *grid_code, *org_path, *address, *contact, *phone;
	long long created_at;
};
/* Adds u (its grid must exist: ERR_NOT_FOUND); sets id and org_path. */
int store_unit_add(struct store *st, struct arena *a, struct unit *u);
int store_unit_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		   struct unit *out);
/* Units inside the scope (and under path, when not NULL), by id. */
int store_unit_list(struct store *st, struct arena *a, const struct scope *sc, const char *path,
		    struct unit **out, size_t *n);
/* Critical events (urgency 3) filed in the grid at org_path and reported in
 * [from, to), not rejected, merged or voided. */
int store_unit_incidents(struct store *st, const char *org_path, long long from, long long to,
			 long long *count);

struct designation {
	long long id, unit_id;
	const char *unit_name, *grid_code, *org_path;
	const char *status, *how, *check_result, *note;
	long long valid_from, valid_to;
	long long created_by, created_at, decided_by, decided_at;
};
/* Adds d in status 'applied' with its first history row; sets id. */
int store_designation_add(struct store *st, struct designation *d);
int store_designation_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
			  struct designation *out);
/* Inside the scope; unit_id 0 and status NULL for all; newest first. */
int store_designation_list(struct store *st, struct arena *a, const struct scope *sc,
			   long long unit_id, const char *status, struct designation **out,
			   size_t *n);
/* from -> to if the status is still `from` (ERR_CONFLICT otherwise), with
 * the history row; valid_from/valid_to set when non-zero, check_result
 * when not NULL. */
int store_designation_move(struct store *st, long long id, const char *from, const char *to,
			   long long user_id, long long now, long long valid_from,
			   long long valid_to, const char *check_result, const char *note);
struct designation_change {
	long long at, user_id;
	const char *user, *from, *to, *note;
};
/* The changes of a designation whose unit lies inside the scope (none
 * otherwise), oldest first. */
int store_designation_history(struct store *st, struct arena *a, const struct scope *sc,
			      long long id, struct designation_change **out, size_t *n);

#endif
