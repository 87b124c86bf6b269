/*
 * webhook.c - see webhook.h.
 */
#include "domain/webhook.h"
#include "core/clock.h"
#include "core/crypt.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sec.h"
#include "core/str.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void field(struct strbuf *sb, const char *key, const char *val, bool comma)
{
	strbuf_addf(sb, "%s\"%s\":\"", comma ? "," : "", key);
	strbuf_add_json_escaped(sb, val ? val : "");
	strbuf_addstr(sb, "\"");
}

char *webhook_payload(struct arena *a, const struct event *e, const char *kind, long long now)
{
	char at[32], deadline[32] = "";
	clock_iso(now, at, sizeof(at));
	if (e->deadline_at)
		clock_iso(e->deadline_at, deadline, sizeof(deadline));
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "{");
	field(&sb, "kind", kind, false);
	field(&sb, "at", at, true);
	strbuf_addf(&sb, ",\"event\":{\"id\":%lld", e->id);
	field(&sb, "receipt", e->receipt, true);
	field(&sb, "category", e->category, true);
	field(&sb, "title", e->title, true);
	field(&sb, "state", wf_state_name(&wf_event, e->state), true);
	field(&sb, "assignee", e->assignee, true);
	field(&sb, "grid", e->grid_code, true);
	strbuf_addf(&sb, ",\"urgency\":%d,\"level\":%d", e->urgency, e->level);
	if (*deadline)
		field(&sb, "deadline_at", deadline, true);
	else
		strbuf_addstr(&sb, ",\"deadline_at\":null");
	strbuf_addf(&sb, ",\"url\":\"/api/v1/events/%lld\"}}", e->id);
	char *out = arena_strdup(a, strbuf_str(&sb));
	strbuf_release(&sb);
	return out;
}

static const struct crypt_keyring *ring;

void webhook_set_keyring(const struct crypt_keyring *kr)
{
	ring = kr;
}

/* The associated data binds a sealed secret to its webhook's row. */
static const char *secret_ad(struct arena *a, long long id)
{
	return arena_printf(a, "webhooks/%lld/secret", id);
}

int webhook_store_secret(struct store *st, struct arena *a, long long id, const char *secret)
{
	const char *stored;
	int err = crypt_seal_text(ring, a, secret_ad(a, id), secret, &stored);
	return err ? err : store_webhook_set_secret(st, id, stored);
}

int webhook_reseal_all(struct store *st, const struct crypt_keyring *kr, long long *rows, char *why,
		       size_t whylen)
{
	*rows = 0;
	struct arena *a = arena_new();
	struct webhook *v;
	size_t n;
	int err = store_webhook_secrets(st, a, &v, &n);
	if (err)
		snprintf(why, whylen, "cannot read the webhooks' secrets");
	for (size_t i = 0; !err && i < n; i++) {
		const char *plain, *stored;
		bool stale;
		if ((err = crypt_open_text(kr, a, secret_ad(a, v[i].id), v[i].secret, &plain,
					   &stale))) {
			snprintf(why, whylen, "the secret of webhook %lld does not open (%s)",
				 v[i].id, err_name(err));
			break;
		}
		if (!stale)
			continue;
		if ((err = crypt_seal_text(kr, a, secret_ad(a, v[i].id), plain, &stored)) ||
		    (err = store_webhook_set_secret(st, v[i].id, stored)))
			snprintf(why, whylen, "cannot seal the secret of webhook %lld", v[i].id);
		else
			(*rows)++;
	}
	arena_free(a);
	return err;
}

long long webhook_next_try(long long now, int attempts)
{
	long long wait = 30;
	for (int i = 1; i < attempts && wait < 3600; i++)
		wait *= 2;
	return now + (wait > 3600 ? 3600 : wait);
}

int webhook_deliver_due(struct store *st, long long now, webhook_post_fn post, int *delivered,
			int *failed)
{
	*delivered = *failed = 0;
	struct arena *a = arena_new();
	struct delivery *v;
	size_t n;
	int err = store_delivery_due(st, a, now, 50, &v, &n);
	for (size_t i = 0; !err && i < n; i++) {
		struct delivery *d = &v[i];
		unsigned char mac[SEC_DIGEST_LEN];
		char hex[SEC_HEX_LEN], sig[SEC_HEX_LEN + 40], id[48], kind[64];
		size_t len = strlen(d->payload);
		const char *secret;
		bool stale;
		int oerr = crypt_open_text(ring, a, secret_ad(a, d->webhook_id), d->secret, &secret,
					   &stale);
		if (oerr) {
			/* a key file missing or wrong: nothing is sent unsigned; the
			 * delivery waits for its next try */
			log_error("webhook %lld: its secret does not open (%s); delivery %lld "
				  "postponed",
				  d->webhook_id, err_name(oerr), d->id);
			err = store_delivery_attempt(st, d->id, "pending", 0,
						     "the webhook's secret does not open",
						     webhook_next_try(now, d->attempts + 1), now);
			continue;
		}
		sec_hmac(SEC_SHA256, secret, strlen(secret), d->payload, len, mac);
		sec_hex(mac, sizeof(mac), hex);
		snprintf(sig, sizeof(sig), "X-Pingan-Signature: sha256=%s", hex);
		snprintf(id, sizeof(id), "X-Pingan-Delivery: %lld", d->id);
		snprintf(kind, sizeof(kind), "X-Pingan-Event: %s", d->kind);
		const char *headers[] = { sig, id, kind, NULL };
		int status = 0;
		char why[256] = "";
		int perr = post(d->url, d->payload, len, headers, 5000, &status, why, sizeof(why));
		if (!perr && status >= 200 && status < 300) {
			err = store_delivery_attempt(st, d->id, "delivered", status, "", 0, now);
			(*delivered)++;
			continue;
		}
		if (!perr)
			snprintf(why, sizeof(why), "answered HTTP %d", status);
		int attempts = d->attempts + 1;
		if (attempts >= WEBHOOK_MAX_ATTEMPTS) {
			err = store_delivery_attempt(st, d->id, "failed", status, why, 0, now);
			(*failed)++;
			log_warn("webhook %lld: delivery %lld failed after %d attempts: %s",
				 d->webhook_id, d->id, attempts, why);
		} else {
			err = store_delivery_attempt(st, d->id, "pending", status, why,
						     webhook_next_try(now, attempts), now);
		}
	}
	arena_free(a);
	return err;
}
