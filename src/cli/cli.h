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

struct geo_shape;
struct arena;
/* Creates or renames a grid org (its community must exist) and stores its
 * boundary; geometry is its GeoJSON text. 0 or an error with why set. */
int cli_store_grid(struct store *st, struct arena *a, const char *code, const char *name,
		   const struct geo_shape *shape, const char *geometry, char *why, size_t whylen);

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
