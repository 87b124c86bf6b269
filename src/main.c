/*
 * main.c - the pingan command: settings, then one subcommand.
 */
#include "cli/cli.h"
#include "core/config.h"
#include "core/crypt.h"
#include "core/log.h"
#include "core/sec.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
	fputs("usage: pingan [--config FILE] [--db PATH] [--listen ADDR:PORT] COMMAND ...\n"
	      "\n"
	      "commands:\n"
	      "  serve [--print-config]            serve HTTP (default 127.0.0.1:8080)\n"
	      "  init                              create the database and apply migrations\n"
	      "  demo --district 330108            load the demo district and accounts\n"
	      "  import divisions FILE.csv         import divisions and departments\n"
	      "  import grids FILE.geojson         import grid boundaries\n"
	      "  user add NAME --org CODE --roles R1,R2 [--display-name TEXT] [--password-stdin]\n"
	      "  user passwd NAME [--password-stdin]\n"
	      "  user disable NAME | user enable NAME\n"
	      "  user list\n"
	      "  key init | key rotate | key status   the personal-data key file\n"
	      "  version\n"
	      "\n"
	      "Every setting can be given as --NAME VALUE, PINGAN_NAME=VALUE or in the\n"
	      "--config file; `pingan serve --print-config` lists them.\n",
	      f);
}

int main(int argc, char **argv)
{
	struct config cfg;
	char why[512];
	/* databases, keys and account files are nobody else's business */
	umask(027);
	config_init(&cfg);
	int n = argc - 1;
	char **args = argv + 1;
	if (config_load(&cfg, &n, args, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		config_release(&cfg);
		return 2;
	}
	enum log_level lvl;
	if (log_level_parse(cfg.log_level, &lvl)) {
		fprintf(stderr, "pingan: log_level must be debug, info, warn or error\n");
		config_release(&cfg);
		return 2;
	}
	log_set_level(lvl);
	if (strcmp(cfg.password_scheme, "pbkdf2-sm3") && strcmp(cfg.password_scheme, "argon2id")) {
		fprintf(stderr, "pingan: password_scheme must be pbkdf2-sm3 or argon2id\n");
		config_release(&cfg);
		return 2;
	}
	if (n < 1 || !strcmp(args[0], "help") || !strcmp(args[0], "--help") ||
	    !strcmp(args[0], "-h")) {
		usage(n < 1 ? stderr : stdout);
		config_release(&cfg);
		return n < 1 ? 2 : 0;
	}
	if (!strcmp(args[0], "version") || !strcmp(args[0], "--version")) {
		printf("pingan %s\n", PINGAN_VERSION);
		config_release(&cfg);
		return 0;
	}
	if (sec_init() || crypt_selftest()) {
		fprintf(stderr, "pingan: cryptographic self-tests failed; refusing to start\n");
		config_release(&cfg);
		return 1;
	}
	static const struct {
		const char *name;
		int (*fn)(struct config *, int, char **);
	} cmds[] = {
		{ "serve", cli_serve }, { "init", cli_init },     { "demo", cli_demo },
		{ "user", cli_user },   { "import", cli_import }, { "key", cli_key },
	};
	int rc = -1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(args[0], cmds[i].name))
			rc = cmds[i].fn(&cfg, n, args);
	if (rc < 0) {
		fprintf(stderr, "pingan: unknown command '%s'\n\n", args[0]);
		usage(stderr);
		rc = 2;
	}
	config_release(&cfg);
	return rc;
}
