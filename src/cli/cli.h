/*
 * cli.h - the subcommands of the pingan binary.
 *
 * Each takes the loaded settings and the arguments left after the settings
 * flags were consumed (argv[0] is the subcommand), and returns the process
 * exit status: 0 ok, 1 failure, 2 usage error.
 */
#ifndef PINGAN_CLI_CLI_H
#define PINGAN_CLI_CLI_H

#include "core/config.h"
#include "store/store.h"

int cli_serve(struct config *cfg, int argc, char **argv);
int cli_init(struct config *cfg, int argc, char **argv);
int cli_user(struct config *cfg, int argc, char **argv);
int cli_import(struct config *cfg, int argc, char **argv);
int cli_demo(struct config *cfg, int argc, char **argv);
int cli_key(struct config *cfg, int argc, char **argv);

struct crypt_keyring;
/* The key file's path: the key_file setting, or 'pingan.keys' beside the
 * database (from a). */
char *cli_key_path(const struct config *cfg, struct arena *a);
/* Loads the key file for serve (create false) or demo (create true: makes
 * it when missing). Without a file *out is NULL, which is fine unless the
 * database holds sealed values; every key version the database uses must
 * be in the file. 0, or -1 after printing why (refuse to start). */
int cli_load_keys(const struct config *cfg, struct store *st, bool create,
		  struct crypt_keyring **out);
int cli_audit_cmd(struct config *cfg, int argc, char **argv);
int cli_backup(struct config *cfg, int argc, char **argv);
int cli_restore(struct config *cfg, int argc, char **argv);

/* Appends an audit record of a command run at the machine (user "cli", the
 * operating-system uid in the detail): object is "KIND:ID" (id 0: "KIND").
 * Inside the caller's transaction when there is one. */
int cli_audit(struct store *st, const char *action, const char *kind, long long id,
	      const char *detail);
/* The audit key file's path: audit_key_file, or 'audit.key' beside the
 * database (from a). */
const char *cli_audit_key_path(const struct config *cfg, struct arena *a);
/* Reads the audit key (making it when create and missing). 0, or prints
 * the error and returns the ERR_*. */
int cli_audit_key(const struct config *cfg, bool create, unsigned char *key);
/* The SM2 anchor-signing key: audit_sign_key_file, or 'audit-sm2.pem'
 * beside the database (made when create and missing). 0 with *out set, or
 * prints the error and returns the ERR_*. */
struct sm2_key;
int cli_audit_sign_key(const struct config *cfg, bool create, struct sm2_key **out);
/* Takes the database's server lock (a `flock` on DB.lock): the returned
 * descriptor holds it until closed; -1 (errno EWOULDBLOCK) if another
 * process holds it, -3 when no lock file can exist (a read-only file system
 * without one: the database cannot be written either), -2 for another
 * failure. */
int cli_db_lock(const char *db);

struct calendar;
/* Loads every holiday file of cfg->calendar_dir and the working hours into a
 * new calendar (warning about the current and, from November, the next year
 * when they have no data), and the categories file into an empty category
 * table. Prints errors; NULL on failure. */
struct calendar *cli_load_world(const struct config *cfg, struct store *st);

struct geo_index;
/* The grid locate index, keyed by the store's grid ids. */
struct geo_index *cli_grid_index(struct store *st);
/* Makes `count` events over the year before `end` through the engine (see
 * demo_events.c); returns how many were made, or -1. */
int cli_demo_events(struct store *st, const struct calendar *cal, const char *district, int count,
		    unsigned long long seed, long long end, const struct crypt_keyring *keys);

/* Opens the store named by cfg->db, creating its folder; prints the error
 * and returns NULL on failure. */
struct store *cli_open_store(const struct config *cfg);

#endif
