/*
 * personal.c - see personal.h.
 */
#include "domain/personal.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static const char *context(struct arena *a, long long event_id, enum pii_field f)
{
	return arena_printf(a, "events/%lld/%s", event_id, pii_field_name(f));
}

static int seal_row(const struct crypt_keyring *kr, struct arena *a, long long event_id,
		    const struct pii_contact *c, struct personal_row *r)
{
	memset(r, 0, sizeof(*r));
	r->event_id = event_id;
	r->key_version = crypt_keyring_current(kr);
	for (int f = 0; f < PII__COUNT; f++) {
		const char *v = c->v[f];
		if (!v || !*v)
			continue;
		unsigned char *s;
		int err = crypt_seal(kr, a, context(a, event_id, (enum pii_field)f), v, strlen(v),
				     &s, &r->len[f]);
		if (err)
			return err;
		r->v[f] = s;
		if (f == PII_PHONE || f == PII_ID_NO) {
			char *hex = arena_alloc(a, CRYPT_BIDX_HEX);
			if ((err = crypt_blind_index(kr, 0, pii_field_name((enum pii_field)f), v,
						     hex)))
				return err;
			if (f == PII_PHONE)
				r->phone_bidx = hex;
			else
				r->id_no_bidx = hex;
		}
	}
	return 0;
}

int personal_save(struct store *st, const struct crypt_keyring *kr, struct arena *a,
		  long long event_id, const struct pii_contact *c)
{
	struct personal_row r;
	int err = seal_row(kr, a, event_id, c, &r);
	return err ? err : store_personal_put(st, &r);
}

static int open_row(const struct crypt_keyring *kr, struct arena *a, const struct personal_row *r,
		    struct pii_contact *out)
{
	memset(out, 0, sizeof(*out));
	for (int f = 0; f < PII__COUNT; f++) {
		if (!r->v[f])
			continue;
		char *p;
		size_t n;
		int err = crypt_open(kr, a, context(a, r->event_id, (enum pii_field)f), r->v[f],
				     r->len[f], &p, &n, NULL);
		if (err == ERR_NOT_FOUND) {
			log_error("personal data of event %lld: key version %d is not in the key "
				  "file",
				  r->event_id, crypt_sealed_version(r->v[f], r->len[f]));
			return ERR_UNAVAILABLE;
		}
		if (err || strlen(p) != n) {
			log_error("personal data of event %lld: field '%s' does not open "
				  "(altered?)",
				  r->event_id, pii_field_name((enum pii_field)f));
			return ERR_INTERNAL;
		}
		out->v[f] = p;
	}
	return 0;
}

int personal_load(struct store *st, const struct crypt_keyring *kr, struct arena *a,
		  long long event_id, struct pii_contact *out)
{
	struct personal_row r;
	int err = store_personal_get(st, a, event_id, &r);
	if (err)
		return err;
	if (!kr)
		return ERR_UNAVAILABLE;
	return open_row(kr, a, &r, out);
}

int personal_search_keys(const struct crypt_keyring *kr, struct arena *a, enum pii_field f,
			 const char *value, const char **out)
{
	char norm[20];
	const char *v = value;
	if (f == PII_PHONE) {
		if (!pii_phone_normalize(value, norm))
			return ERR_BAD_VALUE;
		v = norm;
	} else if (f == PII_ID_NO) {
		if (strlen(value) != 18 || !pii_id_valid(value, 0))
			return ERR_BAD_VALUE;
		memcpy(norm, value, 19);
		if (norm[17] == 'x')
			norm[17] = 'X';
		v = norm;
	} else {
		return ERR_BAD_VALUE;
	}
	int n = 0;
	for (int i = 0; i < crypt_keyring_count(kr) && n < PERSONAL_SEARCH_VERSIONS; i++) {
		char *hex = arena_alloc(a, CRYPT_BIDX_HEX);
		int err = crypt_blind_index(kr, crypt_keyring_version(kr, i, NULL, NULL),
					    pii_field_name(f), v, hex);
		if (err)
			return err;
		out[n++] = hex;
	}
	return n;
}

int personal_rotate(struct store *st, const struct crypt_keyring *kr, long long *rows, char *why,
		    size_t whylen)
{
	*rows = 0;
	int err = store_begin_bulk(st);
	if (err) {
		snprintf(why, whylen, "cannot start a transaction");
		return err;
	}
	long long after = 0;
	for (;;) {
		struct arena *a = arena_new();
		struct personal_row *v;
		size_t n;
		if ((err = store_personal_batch(st, a, after, 500, &v, &n))) {
			snprintf(why, whylen, "cannot read the stored personal data");
			arena_free(a);
			break;
		}
		for (size_t i = 0; !err && i < n; i++) {
			struct pii_contact c;
			struct personal_row r;
			after = v[i].event_id;
			if ((err = open_row(kr, a, &v[i], &c))) {
				snprintf(why, whylen,
					 "the personal data of event %lld does not open: "
					 "nothing was changed",
					 v[i].event_id);
				break;
			}
			if ((err = seal_row(kr, a, v[i].event_id, &c, &r)) ||
			    (err = store_personal_put(st, &r)))
				snprintf(why, whylen, "cannot re-encrypt event %lld",
					 v[i].event_id);
			else
				(*rows)++;
		}
		arena_free(a);
		if (err || n < 500)
			break;
	}
	if (err) {
		store_rollback(st);
		*rows = 0;
		return err;
	}
	if ((err = store_commit(st)))
		snprintf(why, whylen, "cannot commit the re-encryption");
	return err;
}
