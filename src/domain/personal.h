/*
 * personal.h - reporters' personal data at rest: sealing a contact into the
 * store, opening it, blind indexes for search, and re-encryption under a
 * new key version.
 *
 * Every field is sealed on its own (crypt.h) with the context
 * "events/<id>/<field>", so a value copied to another event or field does
 * not open. The phone and ID number also get a blind index under the
 * current key version; a search computes the value's index under the
 * newest versions (PERSONAL_SEARCH_VERSIONS), so rows sealed by a server
 * that had not yet seen a rotation are still found.
 */
#ifndef PINGAN_DOMAIN_PERSONAL_H
#define PINGAN_DOMAIN_PERSONAL_H

#include <stddef.h>

#include "core/arena.h"
#include "core/crypt.h"
#include "core/pii.h"

struct store;

#define PERSONAL_SEARCH_VERSIONS 4

/* Seals the (checked, normalised) contact and stores it for event_id.
 * 0, or a crypt/store error. */
int personal_save(struct store *st, const struct crypt_keyring *kr, struct arena *a,
		  long long event_id, const struct pii_contact *c);

/* Opens the event's contact into out (strings from a, wiped with it).
 * ERR_NOT_FOUND when the report carried none; ERR_UNAVAILABLE without a
 * key ring or for a key version the ring lacks; ERR_INTERNAL for a value
 * that does not open (altered in the database: logged without values). */
int personal_load(struct store *st, const struct crypt_keyring *kr, struct arena *a,
		  long long event_id, struct pii_contact *out);

/* The blind indexes of a field's value under the newest key versions into
 * out[PERSONAL_SEARCH_VERSIONS] (strings from a); returns how many, or a
 * negative error. The value is normalised first (phone, ID number); a
 * value that is not valid answers ERR_BAD_VALUE. */
int personal_search_keys(const struct crypt_keyring *kr, struct arena *a, enum pii_field f,
			 const char *value, const char **out);

/* Re-seals every stored contact under the current version (and recomputes
 * its blind indexes), all in one transaction. *rows gets how many. */
int personal_rotate(struct store *st, const struct crypt_keyring *kr, long long *rows, char *why,
		    size_t whylen);

#endif
