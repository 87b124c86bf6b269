/*
 * webhook.h - outgoing webhooks: a department registers a URL, and every
 * notification for it (new assignment, warning, overdue, supervision...) is
 * also POSTed there as JSON, so an SMS, 钉钉 or e-mail gateway can relay it.
 *
 * Deliveries are queued in the same transaction as the change that causes
 * them, then sent by a background loop: signed with HMAC-SHA256 of the body
 * under the webhook's secret (header X-Pingan-Signature: sha256=HEX), retried
 * with exponential backoff (30 s, 1 min, 2 min ... at most an hour apart,
 * 8 attempts), and logged (status, HTTP code, error) for the admin screen.
 *
 * Secrets at rest: a webhook's secret must be readable to sign, so it cannot
 * be hashed; it is sealed with the personal-data key file
 * (crypt_seal_text(), bound to the webhook's id) whenever one is loaded.
 * A secret stored plain (made before the key file, or without one) or under
 * an older key version is sealed again when the server starts and by
 * `pingan key rotate`.
 */
#ifndef PINGAN_DOMAIN_WEBHOOK_H
#define PINGAN_DOMAIN_WEBHOOK_H

#include <stddef.h>

#include "core/arena.h"
#include "domain/event_types.h"

struct store;
struct crypt_keyring;

#define WEBHOOK_MAX_ATTEMPTS 8

typedef int (*webhook_post_fn)(const char *url, const char *body, size_t len,
			       const char *const *headers, long timeout_ms, int *status, char *why,
			       size_t whylen);

/* The JSON body sent for a notification about e. */
char *webhook_payload(struct arena *a, const struct event *e, const char *kind, long long now);
/* Sends what is due at now; counts what was delivered and what finally
 * failed. 0 or a store error. */
int webhook_deliver_due(struct store *st, long long now, webhook_post_fn post, int *delivered,
			int *failed);
/* The key ring that seals secrets (NULL: stored plain). */
void webhook_set_keyring(const struct crypt_keyring *kr);
/* Stores the secret of webhook id sealed (inside the caller's transaction). */
int webhook_store_secret(struct store *st, struct arena *a, long long id, const char *secret);
/* Seals every secret stored plain or under an older version with kr;
 * *rows counts those changed. 0, or an error with why set. */
int webhook_reseal_all(struct store *st, const struct crypt_keyring *kr, long long *rows, char *why,
		       size_t whylen);
/* The moment of the next try after `attempts` failures. */
long long webhook_next_try(long long now, int attempts);

#endif
