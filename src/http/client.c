/*
 * client.c - see client.h. One easy handle per call: webhook traffic is
 * light, and a handle per call keeps threads apart. Only http and https
 * URLs are allowed; the answer body is read and discarded (bounded).
 */
#include "http/client.h"
#include "core/err.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

void http_client_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_client_cleanup(void)
{
	curl_global_cleanup();
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	size_t *seen = ud;
	*seen += size * n;
	return *seen > (1u << 20) ? 0 : size * n; /* stop reading past 1 MiB */
}

int http_client_post(const char *url, const char *body, size_t len, const char *const *headers,
		     long timeout_ms, int *status, char *why, size_t whylen)
{
	*status = 0;
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(why, whylen, "cannot start a request");
		return ERR_IO;
	}
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	for (const char *const *p = headers; p && *p; p++)
		h = curl_slist_append(h, *p);
	size_t seen = 0;
	char err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pingan-webhook/" PINGAN_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &seen);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	*status = (int)code;
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && code)) {
		snprintf(why, whylen, "%s", *err ? err : curl_easy_strerror(rc));
		return ERR_IO;
	}
	return 0;
}
