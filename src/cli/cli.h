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

struct geo_shape;
struct arena;
/* Creates or renames a grid org (its community must exist) and stores its
 * boundary; geometry is its GeoJSON text. 0 or an error with why set. */
int cli_store_grid(struct store *st, struct arena *a, const char *code, const char *name,
		   const struct geo_shape *shape, const char *geometry, char *why, size_t whylen);

/* Opens the store named by cfg->db, creating its folder; prints the error
 * and returns NULL on failure. */
struct store *cli_open_store(const struct config *cfg);

#endif
