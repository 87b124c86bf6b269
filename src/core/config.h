/*
 * config.h - every setting, from one table.
 *
 * Like redis' static_configs[], each setting is one row in config.c: name,
 * type, default, bounds, the struct field, help. Values come from, in rising
 * precedence: the defaults, a file (`--config FILE` or PINGAN_CONFIG_FILE, lines
 * of `name = value`, '#' comments), PINGAN_<NAME> environment variables,
 * then `--name value` / `--name=value` flags. `--print-config` prints the
 * result with each value's source.
 */
#ifndef PINGAN_CORE_CONFIG_H
#define PINGAN_CORE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

struct config {
	char *db;
	char *listen;
	char *config_file;
	char *log_level;
	char *password_scheme;
	char *demo_data;
	char *calendar_dir;
	char *categories_file;
	char *working_hours;
	char *attachments_dir;
	char *totp_roles;
	char *totp_algorithm;
	char *totp_issuer;
	char *password_blocklist;
	char *tls_cert_file;
	char *tls_key_file;
	char *key_file;
	char *pii_profile;
	char *pii_reveal_roles;
	char *web_dir;
	char *audit_key_file;
	char *audit_sign_key_file;
	char *indicators_file;
	long long threads;
	long long event_cache;
	long long readers;
	long long max_connections;
	long long per_ip_connections;
	long long connection_timeout;
	long long connection_memory;
	long long max_body;
	long long max_upload;
	long long pbkdf2_iterations;
	long long session_idle_minutes;
	long long session_absolute_hours;
	long long password_max_age_days;
	long long lockout_threshold;
	long long lockout_minutes;
	long long ip_fail_limit;
	long long ip_fail_window;
	long long dup_distance_m;
	long long escalate_grace_minutes;
	long long scheduler_interval;
	long long demo_events;
	long long stream_max;
	long long stream_heartbeat;
	long long export_max_rows;
	long long public_report_limit;
	long long public_report_window;
	long long public_photos;
	long long public_photo_bytes;
	long long public_photo_window;
	bool public_reports;
	long long assess_min_cases;
	bool test_clock;
	long long dup_window_hours;
	bool access_log;
	long long audit_anchor_minutes;
	long long audit_retention_days;
	/* where each value came from, by table row: "default", "file", "env", "flag" */
	const char *source[80];
};

/* Fills cfg with the defaults (allocates its strings). */
void config_init(struct config *cfg);
/* Frees the strings. */
void config_release(struct config *cfg);

/* Sets one setting by name from text, checking type and bounds.
 * 0, ERR_NOT_FOUND (no such setting) or ERR_BAD_VALUE; why gets a message. */
int config_set(struct config *cfg, const char *name, const char *value, const char *source,
	       char *why, size_t whylen);
/* Reads a `name = value` file. 0, ERR_IO or the first config_set error. */
int config_load_file(struct config *cfg, const char *path, char *why, size_t whylen);
/* Applies PINGAN_<NAME> variables from the environment. */
int config_load_env(struct config *cfg, char *why, size_t whylen);
/* Consumes `--name value`, `--name=value` and `--flag` (booleans) for known
 * settings from argv, compacting the rest in place; returns the new argc, or
 * a negative error with why set. */
int config_load_args(struct config *cfg, int argc, char **argv, char *why, size_t whylen);
/* All three in order (file named by --config/PINGAN_CONFIG_FILE first). */
int config_load(struct config *cfg, int *argc, char **argv, char *why, size_t whylen);
/* Prints every setting, its value and source, then a help text column. */
void config_print(const struct config *cfg, FILE *out);

#endif
