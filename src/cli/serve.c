/*
 * serve.c - `pingan serve` and `pingan init`.
 *
 * serve: opens the store, builds the grid locate index, starts HTTP, prints
 * "listening on http://ADDR:PORT" (tests read the port from it when they ask
 * for port 0), then waits for SIGTERM or SIGINT: stop accepting, let
 * in-flight requests finish, checkpoint the WAL, exit 0.
 */
#include "cli/cli.h"
#include "api/api.h"
#include "core/err.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/crypt.h"
#include "core/geo.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/sm2.h"
#include "domain/scheduler.h"
#include "domain/webhook.h"
#include "http/client.h"

#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ticker {
	struct app *app;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

/* Records a start or stop of the server with the digest of its settings,
 * so a change of settings between two runs shows in the audit log. */
static void audit_run(struct app *app, const char *action)
{
	char *text = NULL, detail[160], hex[SEC_HEX_LEN];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m) {
		config_print(app->cfg, m);
		fclose(m);
	}
	sec_digest_hex(SEC_SM3, text ? text : "", text ? len : 0, hex);
	free(text);
	snprintf(detail, sizeof(detail), "pingan %s, settings sm3 %.32s", PINGAN_VERSION, hex);
	if (cli_audit(app->st, action, "server", 0, detail))
		log_warn("cannot record the server's %s in the audit log", action);
}

/* Signs the audit log's head unless the latest anchor names it already. */
static void anchor_audit(struct app *app)
{
	struct audit_anchor x;
	if (store_audit_anchor(app->st, app->audit_key, AUDIT_KEY_LEN, app->audit_sign,
			       (long long)time(NULL), false, &x))
		log_warn("cannot write an audit anchor; retrying next interval");
}

/* The background thread: webhook deliveries every 2 s, a deadline pass
 * every scheduler_interval seconds, an audit anchor every
 * audit_anchor_minutes. */
static void *tick_loop(void *p)
{
	struct ticker *t = p;
	long long next_pass = t->app->now() + t->app->cfg->scheduler_interval;
	long long next_anchor = (long long)time(NULL) + t->app->cfg->audit_anchor_minutes * 60;
	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		pthread_cond_timedwait(&t->cond, &t->lock, &until);
		if (t->stop)
			break;
		pthread_mutex_unlock(&t->lock);
		long long now = t->app->now();
		/* anchors follow the real clock, even under the test clock */
		if ((long long)time(NULL) >= next_anchor) {
			anchor_audit(t->app);
			next_anchor =
				(long long)time(NULL) + t->app->cfg->audit_anchor_minutes * 60;
		}
		if (t->app->cfg->test_clock) {
			/* tests drive passes and deliveries themselves (POST /api/v1/test/scheduler) */
			pthread_mutex_lock(&t->lock);
			continue;
		}
		if (now >= next_pass) {
			struct sched_result res;
			if (sched_tick(&t->app->ev, now, &res))
				log_warn("scheduler pass failed; retrying next interval");
			next_pass = now + t->app->cfg->scheduler_interval;
		}
		int delivered, failed;
		if (webhook_deliver_due(t->app->st, now, http_client_post, &delivered, &failed))
			log_warn("webhook deliveries failed; retrying");
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0750) && errno != EEXIST)
		return -1;
	return 0;
}

struct store *cli_open_store(const struct config *cfg)
{
	char dir[4096], why[512];
	snprintf(dir, sizeof(dir), "%s", cfg->db);
	char *d = dirname(dir);
	if (strcmp(d, ".") && mkdir_p(d)) {
		fprintf(stderr, "pingan: cannot create folder '%s': %s\n", d, strerror(errno));
		return NULL;
	}
	struct store *st;
	if (store_open(cfg->db, (int)cfg->readers, &st, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		return NULL;
	}
	return st;
}

int cli_init(struct config *cfg, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct store *st = cli_open_store(cfg);
	if (!st)
		return 1;
	struct calendar *cal = cli_load_world(cfg, st);
	if (!cal) {
		store_close(st);
		return 1;
	}
	cal_free(cal);
	printf("database '%s' is at schema version %d\n", cfg->db, store_schema_version(st));
	store_close(st);
	return 0;
}

/* A whole file of at most 1 MiB, NUL-terminated (free() it), or NULL. */
static char *read_small_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = xmalloc((1 << 20) + 1);
	*len = fread(buf, 1, 1 << 20, f);
	bool whole = feof(f) && !ferror(f);
	fclose(f);
	if (!whole || !*len) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

int cli_serve(struct config *cfg, int argc, char **argv)
{
	bool print = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--print-config")) {
			print = true;
		} else {
			fprintf(stderr, "pingan serve: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	/* Memory: glibc gives each thread that allocates at once an arena of its
	 * own, up to eight per core, and each keeps what it once held; with 16
	 * workers that was most of the server's RSS (a dozen arenas of 3-4 MB,
	 * the SQLite caches scattered over them). Two per core hold it near 45
	 * MB with 1 M events. Fixed thresholds hand blocks past 512 KiB (a
	 * search's sort) straight back to the kernel (docs/performance.md). */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, cpus > 1 ? (int)(2 * cpus) : 2);
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
	if (print) {
		config_print(cfg, stdout);
		return 0;
	}
	unsigned reveal;
	char rwhy[256];
	if (role_parse_list(cfg->pii_reveal_roles, &reveal, rwhy, sizeof(rwhy)) ||
	    (reveal & ROLE(AUDIT_ADMIN))) {
		fprintf(stderr, "pingan: pii_reveal_roles: %s\n",
			(reveal & ROLE(AUDIT_ADMIN)) ? "the auditor never reads personal data"
						     : rwhy);
		return 2;
	}
	char awhy[512];
	if (auth_configure(cfg, awhy, sizeof(awhy))) {
		fprintf(stderr, "pingan: %s\n", awhy);
		return 1;
	}
	/* one server per database: restore checks this lock too */
	int lock = cli_db_lock(cfg->db);
	if (lock == -1) {
		fprintf(stderr, "pingan: another server is running on '%s'\n", cfg->db);
		auth_release();
		return 1;
	}
	unsigned char key[AUDIT_KEY_LEN];
	if (lock == -3)
		log_warn(
			"no lock file beside '%s' on a read-only file system; serving it read-only",
			cfg->db);
	struct store *st = lock >= 0 || lock == -3 ? cli_open_store(cfg) : NULL;
	if (lock == -2)
		fprintf(stderr, "pingan: cannot lock '%s.lock': %s\n", cfg->db, strerror(errno));
	struct sm2_key *sign = NULL;
	struct crypt_keyring *keys = NULL;
	if (!st || cli_audit_key(cfg, true, key) || cli_audit_sign_key(cfg, true, &sign) ||
	    cli_load_keys(cfg, st, false, &keys)) {
		sm2_free(sign);
		store_close(st);
		auth_release();
		if (lock >= 0)
			close(lock);
		return 1;
	}
	auth_set_keyring(keys);    /* seals second-factor secrets */
	webhook_set_keyring(keys); /* and webhook secrets */
	if (keys && !store_read_only(st)) {
		long long sealed = 0;
		char why[256];
		if (webhook_reseal_all(st, keys, &sealed, why, sizeof(why)))
			log_warn("webhook secrets: %s", why);
		else if (sealed)
			log_info("sealed %lld webhook secret(s) stored plain or under an older key",
				 sealed);
	}
	struct calendar *cal = cli_load_world(cfg, st);
	if (!cal) {
		crypt_keyring_free(keys);
		sm2_free(sign);
		store_close(st);
		close(lock);
		auth_release();
		return 1;
	}
	http_client_init();
	struct {
		struct geo_index *ix;
		struct arena *a;
	} ic = { cli_grid_index(st), arena_new() };
	struct org root;
	const char *district_path = "/";
	if (!store_org_root(st, ic.a, &root))
		district_path = root.path;

	struct app app = { .cfg = cfg,
			   .st = st,
			   .grids = ic.ix,
			   .grid_index = cli_grid_index,
			   .cal = cal,
			   .started = time(NULL),
			   .now = clock_now };
	memcpy(app.audit_key, key, sizeof(key));
	app.audit_sign = sign;
	sec_wipe(key, sizeof(key));
	anchor_audit(&app); /* what came before this start is signed */
	audit_run(&app, "server.start");
	app.ev = (struct event_env){ .st = st,
				     .cal = cal,
				     .grids = ic.ix,
				     .now = clock_now,
				     .escalate_grace_s = cfg->escalate_grace_minutes * 60,
				     .district_path = district_path,
				     .dup_distance_m = (double)cfg->dup_distance_m,
				     .dup_window_s = cfg->dup_window_hours * 3600,
				     .keys = keys,
				     .changed = api_stream_publish,
				     .changed_ctx = &app };
	struct http_options opt = {
		.listen = cfg->listen,
		.threads = (int)cfg->threads,
		.max_connections = (int)cfg->max_connections,
		.per_ip_connections = (int)cfg->per_ip_connections,
		.connection_timeout = (int)cfg->connection_timeout,
		.connection_memory = (size_t)cfg->connection_memory,
		.max_body = (size_t)cfg->max_body,
		.access_log = cfg->access_log,
		.max_upload = (size_t)cfg->max_upload,
		.upload_route = api_upload_route,
		.max_streams = (int)cfg->stream_max,
		.stream_heartbeat = (int)cfg->stream_heartbeat,
		.stream_tick = api_stream_tick,
		.stream_free = api_stream_free,
	};
	/* attachments beside the database unless set; uploads land in its tmp/ so
	 * keeping one is a rename on the same file system */
	if (!*cfg->attachments_dir) {
		char dbdir[4096];
		snprintf(dbdir, sizeof(dbdir), "%s", cfg->db);
		const char *d = dirname(dbdir);
		size_t need = strlen(d) + 16;
		char *set = xmalloc(need);
		snprintf(set, need, "%s/attachments", d);
		free(cfg->attachments_dir);
		cfg->attachments_dir = set;
	}
	char *updir = arena_printf(ic.a, "%s/tmp", cfg->attachments_dir);
	if (mkdir_p(updir)) {
		fprintf(stderr, "pingan: cannot create '%s': %s\n", updir, strerror(errno));
		geo_index_free(ic.ix);
		cal_free(cal);
		arena_free(ic.a);
		crypt_keyring_free(keys);
		sm2_free(sign);
		store_close(st);
		close(lock);
		auth_release();
		return 1;
	}
	opt.upload_dir = updir;
	/* the web app: optional, the API works without it */
	char wwhy[512];
	if (web_load(cfg->web_dir, &app.web, wwhy, sizeof(wwhy)))
		log_warn("%s; serving the API only", wwhy);
	else {
		size_t bytes, files = web_count(app.web, &bytes);
		log_info("web app: %zu files, %zu bytes from '%s'", files, bytes, cfg->web_dir);
	}
	/* HTTPS: the PEM files are read now, before any thread starts, and the
	 * key's copy is wiped when the server has stopped */
	char *tls_cert = NULL, *tls_key = NULL;
	size_t tls_key_len = 0;
	if (*cfg->tls_cert_file || *cfg->tls_key_file) {
		size_t n;
		if (!*cfg->tls_cert_file || !*cfg->tls_key_file ||
		    !(tls_cert = read_small_file(cfg->tls_cert_file, &n)) ||
		    !(tls_key = read_small_file(cfg->tls_key_file, &tls_key_len))) {
			fprintf(stderr, "pingan: TLS needs readable 'tls_cert_file' and "
					"'tls_key_file' (PEM)\n");
			free(tls_cert);
			web_free(app.web);
			geo_index_free(ic.ix);
			cal_free(cal);
			arena_free(ic.a);
			crypt_keyring_free(keys);
			sm2_free(sign);
			store_close(st);
			close(lock);
			auth_release();
			return 1;
		}
		opt.tls_cert_pem = tls_cert;
		opt.tls_key_pem = tls_key;
	}
	/* block the signals before any thread starts, so only sigwait sees them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct http_server *srv;
	char why[512];
	api_event_cache(&app, (size_t)cfg->event_cache);
	/* requests write a few rows each; imports and assessment runs say they
	 * are bulk (store_begin_bulk) */
	store_journal_in_memory(st, true);
	if (http_server_start(&opt, api_dispatch, &app, &srv, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		api_event_cache_release(&app);
		web_free(app.web);
		free(tls_cert);
		if (tls_key)
			sec_wipe(tls_key, tls_key_len);
		free(tls_key);
		auth_release();
		geo_index_free(ic.ix);
		cal_free(cal);
		arena_free(ic.a);
		crypt_keyring_free(keys);
		sm2_free(sign);
		store_close(st);
		close(lock);
		return 1;
	}
	app.srv = srv;
	char host[128];
	snprintf(host, sizeof(host), "%s", cfg->listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	printf("listening on %s://%s:%d\n", tls_cert ? "https" : "http", host,
	       http_server_port(srv));
	fflush(stdout);
	log_info("serving %zu grids from '%s' on %s:%d", geo_index_count(ic.ix), cfg->db, host,
		 http_server_port(srv));
	struct ticker tk = { .app = &app,
			     .lock = PTHREAD_MUTEX_INITIALIZER,
			     .cond = PTHREAD_COND_INITIALIZER };
	pthread_t tick_thread;
	pthread_create(&tick_thread, NULL, tick_loop, &tk);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("signal %d: finishing in-flight requests", sig);
	http_server_stop(srv, 10000);
	pthread_mutex_lock(&tk.lock);
	tk.stop = true;
	pthread_cond_signal(&tk.cond);
	pthread_mutex_unlock(&tk.lock);
	pthread_join(tick_thread, NULL);
	web_free(app.web);
	audit_run(&app, "server.stop");
	anchor_audit(&app); /* the last head, signed */
	sec_wipe(app.audit_key, sizeof(app.audit_key));
	sm2_free(app.audit_sign);
	api_grids_release(&app); /* the index, and any a grids import replaced */
	api_event_cache_release(&app);
	cal_free(cal);
	arena_free(ic.a);
	crypt_keyring_free(keys);
	store_close(st);
	close(lock);
	http_client_cleanup();
	auth_release();
	free(tls_cert);
	if (tls_key)
		sec_wipe(tls_key, tls_key_len);
	free(tls_key);
	log_info("stopped cleanly");
	return 0;
}
