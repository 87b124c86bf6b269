/*
 * client.h - outgoing HTTP (libcurl), for webhooks.
 */
#ifndef PINGAN_HTTP_CLIENT_H
#define PINGAN_HTTP_CLIENT_H

#include <stddef.h>

/* POSTs body (JSON) to url with the extra "Name: value" headers (NULL
 * terminated), waiting at most timeout_ms. *status gets the HTTP status (0
 * when no answer came). 0 when an answer came (any status), ERR_IO
 * otherwise, with why. No redirects are followed. */
int http_client_post(const char *url, const char *body, size_t len, const char *const *headers,
		     long timeout_ms, int *status, char *why, size_t whylen);

/* Call once before threads start (curl_global_init). */
void http_client_init(void);
/* And once at the end (curl_global_cleanup). */
void http_client_cleanup(void);

#endif
