/*
 * err.h - the one table of errors.
 *
 * Functions return 0 or a negative ERR_* code (libuv, nginx). The table below
 * (libuv's UV_ERRNO_MAP idea) gives each error its HTTP status, a stable slug
 * that API clients may rely on, and a default human message; it generates the
 * enum, err_name(), err_status() and err_message(). The JSON error body
 * {"error":{"code":SLUG,"message":...}} is rendered from it in src/http.
 */
#ifndef PINGAN_CORE_ERR_H
#define PINGAN_CORE_ERR_H

/* X(NAME, http status, slug, default message) */
#define ERR_MAP(X)                                                                        \
	X(INVALID, 400, "invalid_request", "the request is invalid")                      \
	X(BAD_JSON, 400, "malformed_json", "the body is not well-formed JSON")            \
	X(BAD_TYPE, 400, "wrong_type", "a field has the wrong type")                      \
	X(MISSING, 400, "missing_field", "a required field is missing")                   \
	X(BAD_VALUE, 400, "invalid_value", "a field has an invalid value")                \
	X(BAD_QUERY, 400, "invalid_query", "a query parameter is invalid")                \
	X(BAD_FILE, 400, "invalid_file", "the file is invalid")                           \
	X(UNAUTHENTICATED, 401, "unauthenticated", "log in first")                        \
	X(BAD_LOGIN, 401, "invalid_credentials", "wrong user name or password")           \
	X(OTP_REQUIRED, 401, "otp_required", "send the one-time code as well")            \
	X(FORBIDDEN, 403, "forbidden", "you may not do that")                             \
	X(ENROL_REQUIRED, 403, "enrolment_required", "enrol a second factor first")       \
	X(PW_EXPIRED, 403, "password_expired", "change the expired password first")       \
	X(NOT_FOUND, 404, "not_found", "no such resource")                                \
	X(NO_ROUTE, 404, "no_route", "no such endpoint")                                  \
	X(METHOD, 405, "method_not_allowed", "method not allowed on this endpoint")       \
	X(CONFLICT, 409, "conflict", "the resource changed or already exists")            \
	X(TOO_LARGE, 413, "payload_too_large", "the request body is too large")           \
	X(MEDIA_TYPE, 415, "unsupported_media_type", "send the body as application/json") \
	X(LOCKED, 423, "account_locked", "the account is locked; try again later")        \
	X(THROTTLED, 429, "too_many_requests", "too many attempts; slow down")            \
	X(INTERNAL, 500, "internal_error", "internal error")                              \
	X(IO, 500, "io_error", "input/output error")                                      \
	X(DB, 500, "database_error", "database error")                                    \
	X(UNAVAILABLE, 503, "unavailable", "the service is unavailable")                  \
	X(READ_ONLY, 503, "read_only", "the database is read-only; writes are refused")   \
	X(NO_SPACE, 507, "insufficient_storage", "no space left for the write")

enum err_code {
	ERR_OK = 0,
#define ERR_ENUM(name, status, slug, msg) ERR_##name,
	ERR__FIRST = -100,
	ERR_MAP(ERR_ENUM)
#undef ERR_ENUM
		ERR__LAST
};

/* Stable slug, e.g. "not_found"; "ok" for 0, "internal_error" for unknown. */
const char *err_name(int err);
/* HTTP status for the error; 200 for 0. */
int err_status(int err);
/* Default English message. */
const char *err_message(int err);

#endif
