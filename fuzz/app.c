/*
 * app.c - see app.h. Built the way `pingan serve` builds its application
 * (src/cli/serve.c), without the HTTP server and the ticker thread.
 */
#include "app.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/crypt.h"
#include "core/sec.h"
#include "core/log.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct app app;
static struct config cfg;
static const char *tokens[FUZZ_ROLES];
static char dir[64];

static void set(const char *name, const char *value)
{
	char why[256];
	if (config_set(&cfg, name, value, "fuzz", why, sizeof(why))) {
		fprintf(stderr, "fuzz: %s: %s\n", name, why);
		abort();
	}
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "fuzz: could not remove '%s'\n", dir);
}

/* The password of user in demo-accounts.txt ("  USER PASSWORD ROLE ORG"). */
static char *password_of(const char *user)
{
	char path[128], line[512], u[64], pw[128];
	snprintf(path, sizeof(path), "%s/demo-accounts.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		abort();
	char *found = NULL;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, " %63s %127s", u, pw) == 2 && !strcmp(u, user))
			found = xstrdup(pw);
	fclose(f);
	return found;
}

static const char *login(const char *user)
{
	char *pw = password_of(user);
	if (!pw) {
		fprintf(stderr, "fuzz: no demo account '%s'\n", user);
		abort();
	}
	struct arena *a = arena_new();
	char token[AUTH_TOKEN_HEX];
	struct principal who;
	long long locked;
	if (auth_login(app.st, &cfg, a, user, pw, "127.0.0.1", clock_now(), token, &who, &locked))
		abort();
	arena_free(a);
	free(pw);
	return xstrdup(token);
}

struct app *fuzz_app(const char *const **out)
{
	*out = tokens;
	if (app.st)
		return &app;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/fuzz-app-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	if (sec_init())
		abort();
	config_init(&cfg);
	char db[128];
	snprintf(db, sizeof(db), "%s/pingan.db", dir);
	set("db", db);
	set("demo_events", "40");
	set("pbkdf2_iterations", "1000");
	set("log_level", "error");
	const char *data = getenv("PINGAN_DEMO_DATA");
	if (data)
		set("demo_data", data);
	log_set_level(LOG_ERROR);
	/* building the demo takes half a minute under the sanitizers: a copy of
	 * the first one is kept in PINGAN_FUZZ_CACHE (scripts/fuzz.sh sets it) */
	const char *cache = getenv("PINGAN_FUZZ_CACHE");
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cp '%s/pingan.db' '%s/pingan.keys' '%s/demo-accounts.txt' '%s/' 2>/dev/null",
		 cache ? cache : "/nonexistent", cache ? cache : "/nonexistent",
		 cache ? cache : "/nonexistent", dir);
	if (!cache || system(cmd)) {
		/* the demo prints its accounts: keep them off the fuzzer's output */
		fflush(stdout);
		FILE *saved = stdout;
		stdout = fopen("/dev/null", "w");
		char *argv[] = { "demo", "--district", "330108", NULL };
		int rc = cli_demo(&cfg, 3, argv);
		fclose(stdout);
		stdout = saved;
		if (rc) {
			fprintf(stderr, "fuzz: `pingan demo` failed; set PINGAN_DEMO_DATA to "
					"node_modules\n");
			abort();
		}
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p '%s' && cp '%s/pingan.db' '%s/pingan.keys' "
			 "'%s/demo-accounts.txt' '%s/'",
			 cache, dir, dir, dir, cache);
		if (cache && system(cmd))
			fprintf(stderr, "fuzz: could not keep the demo in '%s'\n", cache);
	}
	app.cfg = &cfg;
	app.st = cli_open_store(&cfg);
	if (!app.st || !(app.cal = cli_load_world(&cfg, app.st)))
		abort();
	static struct crypt_keyring *keys;
	if (cli_load_keys(&cfg, app.st, false, &keys))
		abort();
	app.grids = cli_grid_index(app.st);
	app.now = clock_now;
	app.started = clock_now();
	static struct org root;
	static struct arena *keep; /* lives as long as the process */
	keep = arena_new();
	const char *district_path = "/";
	if (!store_org_root(app.st, keep, &root))
		district_path = root.path;
	app.ev = (struct event_env){ .st = app.st,
				     .cal = app.cal,
				     .grids = app.grids,
				     .now = clock_now,
				     .escalate_grace_s = cfg.escalate_grace_minutes * 60,
				     .district_path = district_path,
				     .dup_distance_m = (double)cfg.dup_distance_m,
				     .dup_window_s = cfg.dup_window_hours * 3600,
				     .keys = keys };
	tokens[1] = login("admin");
	tokens[2] = login("centre");
	tokens[3] = login("gridworker");
	return &app;
}
