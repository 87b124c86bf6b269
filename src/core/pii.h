/*
 * pii.h - personal data fields: validation, normalisation and masking.
 *
 * Pure functions, no I/O and no keys (crypt.h encrypts). A contact is the
 * four fields a report may carry about the person behind it: name, mobile
 * phone, ID number (居民身份证号码) and address.
 *
 * Validation:
 *   - ID numbers follow GB 11643-1999: 17 digits and a check character
 *     (ISO 7064 MOD 11-2, 'X' for 10); the first two digits a province
 *     code (GB/T 2260, 81-83 for Hong Kong, Macao and Taiwan residence
 *     permits), the next four not all zero, then a real date of birth from
 *     1900-01-01 to today (China Standard Time). A lowercase 'x' is
 *     accepted and stored as 'X'.
 *   - Mobile numbers are mainland numbers: 11 digits, 1[3-9]... . Spaces
 *     and dashes, and a leading +86, 0086 or 86 are dropped first.
 *   - Names are 1-50 characters, addresses 1-200, one line of valid UTF-8.
 * Messages never repeat the value (they may end up in logs).
 *
 * Masking (what users without the clear-read right see):
 *   ID      330108********1234   (region code and the last four kept)
 *   mobile  138****5678
 *   name    张*  /  欧阳**        (first character kept)
 *   address the first half, at most 8 characters, then ****
 */
#ifndef PINGAN_CORE_PII_H
#define PINGAN_CORE_PII_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum pii_field { PII_NAME, PII_PHONE, PII_ID_NO, PII_ADDRESS, PII__COUNT };

/* The names used in JSON, in the database and as encryption context. */
const char *pii_field_name(enum pii_field f);

struct pii_contact {
	const char *v[PII__COUNT]; /* NULL or "" when not given */
};

/* true when no field is given. */
bool pii_contact_empty(const struct pii_contact *c);

/* Checks a Chinese resident ID number at `now` (unix seconds; 0: do not
 * check the date against today). */
bool pii_id_valid(const char *id, long long now);
/* The GB 11643 check character for 17 digits. */
char pii_id_check_char(const char *digits17);
/* Normalises a mobile number into out[12]; false if it is not one. */
bool pii_phone_normalize(const char *in, char out[12]);

/* Validates and normalises every given field of c in place (new strings
 * from a). 0, or ERR_BAD_VALUE with why naming the field, never its value. */
int pii_contact_check(struct pii_contact *c, struct arena *a, long long now, char *why,
		      size_t whylen);

/* The masked form of a field's value, from a. */
char *pii_mask(struct arena *a, enum pii_field f, const char *value);

#endif
