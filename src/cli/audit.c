/*
 * audit.c - `pingan audit verify|anchor|anchors`, and the helpers the other
 * commands use to audit what they change and to find the anchor key.
 *
 * archive moves the records older than audit_retention_days into a JSON
 * lines file and out of the database (see store_audit_archive()).
 *
 * verify walks the whole chain and checks every anchor (signature, and that
 * the record it names is there with the same hash); --anchors FILE adds the
 * anchors of an export kept elsewhere (GET /api/v1/audit/anchors or
 * `pingan audit anchors`), so a log cut short together with its anchors
 * table is still caught. Exit 0: intact; 1: a problem (printed). verify
 * only reads: it adds nothing to the log it checks.
 */
#include "cli/cli.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int cli_audit(struct store *st, const char *action, const char *kind, long long id,
	      const char *detail)
{
	char object[64], who[300];
	if (id)
		snprintf(object, sizeof(object), "%s:%lld", kind, id);
	else
		snprintf(object, sizeof(object), "%s", kind);
	snprintf(who, sizeof(who), "uid=%u %s", (unsigned)getuid(), detail ? detail : "");
	struct audit_rec r = { .at = (long long)time(NULL),
			       .username = "cli",
			       .ip = "",
			       .action = action,
			       .object = object,
			       .outcome = "ok",
			       .detail = who };
	return store_audit_append(st, &r);
}

const char *cli_audit_key_path(const struct config *cfg, struct arena *a)
{
	if (*cfg->audit_key_file)
		return cfg->audit_key_file;
	char *dir = arena_strdup(a, cfg->db);
	return arena_printf(a, "%s/audit.key", dirname(dir));
}

int cli_audit_key(const struct config *cfg, bool create, unsigned char *key)
{
	struct arena *a = arena_new();
	char why[512];
	int err = audit_key_load(cli_audit_key_path(cfg, a), create, key, why, sizeof(why));
	if (err)
		fprintf(stderr, "pingan: %s\n", why);
	arena_free(a);
	return err;
}

int cli_audit_sign_key(const struct config *cfg, bool create, struct sm2_key **out)
{
	struct arena *a = arena_new();
	const char *path = cfg->audit_sign_key_file;
	if (!*path) {
		char *dir = arena_strdup(a, cfg->db);
		path = arena_printf(a, "%s/audit-sm2.pem", dirname(dir));
	}
	char why[512];
	int err = audit_sign_key_load(path, create, out, why, sizeof(why));
	if (err)
		fprintf(stderr, "pingan: %s\n", why);
	arena_free(a);
	return err;
}

int cli_db_lock(const char *db)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s.lock", db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EROFS || errno == EACCES)) {
		/* a read-only file system or folder: lock an existing file read-only
		 * (flock does not need write access); with none, nothing can write
		 * the database either */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOENT ? -3 : -2;
	}
	if (fd < 0)
		return -2;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;
		close(fd);
		errno = e;
		return e == EWOULDBLOCK ? -1 : -2;
	}
	return fd;
}

/* Anchors from an export file, appended to *v (grown with xrealloc). */
static int read_export(const char *path, struct audit_anchor **v, size_t *n)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		fprintf(stderr, "pingan: '%s': line %d: %s\n", path, je.line, je.text);
		return 1;
	}
	json_t *items = json_object_get(j, "items");
	int rc = 0;
	if (!json_is_array(items)) {
		fprintf(stderr, "pingan: '%s' holds no 'items' array of anchors\n", path);
		rc = 1;
	}
	size_t i;
	json_t *x;
	json_array_foreach (items, i, x) {
		json_int_t id = 0, seq = -1, at = 0;
		const char *hash = NULL, *alg = NULL, *key_id = NULL, *mac = NULL;
		if (json_unpack(x, "{s:I,s:I,s:s,s:I,s:s,s:s,s:s}", "id", &id, "seq", &seq, "hash",
				&hash, "at_unix", &at, "alg", &alg, "key_id", &key_id, "mac",
				&mac) ||
		    strlen(hash) != 64 || strlen(mac) != 64 || strlen(key_id) != 16 || seq < 0) {
			fprintf(stderr, "pingan: '%s': anchor %zu is malformed\n", path, i);
			rc = 1;
			break;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		struct audit_anchor *a = &(*v)[(*n)++];
		memset(a, 0, sizeof(*a));
		a->id = id;
		a->seq = seq;
		a->at = at;
		str_copy(a->hash, sizeof(a->hash), hash);
		str_copy(a->alg, sizeof(a->alg), alg);
		str_copy(a->key_id, sizeof(a->key_id), key_id);
		str_copy(a->mac, sizeof(a->mac), mac);
		const char *sig = json_string_value(json_object_get(x, "sig"));
		const char *sig_key = json_string_value(json_object_get(x, "sig_key_id"));
		if (sig && sig_key && strlen(sig) < sizeof(a->sig) &&
		    strlen(sig_key) < sizeof(a->sig_key_id)) {
			str_copy(a->sig, sizeof(a->sig), sig);
			str_copy(a->sig_key_id, sizeof(a->sig_key_id), sig_key);
		}
	}
	json_decref(j);
	return rc;
}

static void print_verdict(const char *what, const struct audit_verify *v)
{
	printf("audit log of '%s': %lld records, head %lld %.16s…, %lld anchors (%lld checked",
	       what, v->records, v->head_seq, v->head, v->anchors, v->anchors_checked);
	if (v->latest_anchor_seq >= 0)
		printf(", the latest at record %lld", v->latest_anchor_seq);
	printf(")\n");
	if (v->ok)
		printf("ok: the chain is intact\n");
	else
		printf("BROKEN (%lld problems): %s: %s\n", v->problems, v->problem_kind,
		       v->problem);
}

/* The key that checks SM2 signatures: a public key file given with
 * --public-key (no secret needed), else the signing key if there is one. */
static struct sm2_key *check_key(const struct config *cfg, const char *pubfile)
{
	struct sm2_key *k = NULL;
	char why[512];
	if (pubfile) {
		if (audit_sign_key_load(pubfile, false, &k, why, sizeof(why)))
			fprintf(stderr, "pingan: %s\n", why);
		return k;
	}
	if (cli_audit_sign_key(cfg, false, &k))
		fprintf(stderr, "pingan: warning: the anchors' SM2 signatures are not checked\n");
	return k;
}

static int verify(struct config *cfg, int argc, char **argv)
{
	const char *exports[16], *pubfile = NULL;
	int nexports = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--anchors") && i + 1 < argc && nexports < 16) {
			exports[nexports++] = argv[++i];
		} else if (!strcmp(argv[i], "--public-key") && i + 1 < argc) {
			pubfile = argv[++i];
		} else {
			fprintf(stderr, "usage: pingan audit verify [--anchors EXPORT.json]... "
					"[--public-key PEM]\n");
			return 2;
		}
	}
	unsigned char key[AUDIT_KEY_LEN];
	/* with only the public key, nothing secret is needed (or read) */
	bool have_key = !pubfile && cli_audit_key(cfg, false, key) == 0;
	if (!have_key && !pubfile)
		fprintf(stderr, "pingan: warning: the anchors' MACs cannot be checked "
				"without the key\n");
	struct sm2_key *pub = check_key(cfg, pubfile);
	if (pubfile && !pub)
		return 1;
	struct store *st = cli_open_store(cfg);
	if (!st) {
		sm2_free(pub);
		return 1;
	}
	struct arena *a = arena_new();
	struct audit_anchor *extra = NULL;
	size_t nextra = 0;
	int rc = 0;
	for (int i = 0; i < nexports && !rc; i++)
		rc = read_export(exports[i], &extra, &nextra);
	struct audit_verify v;
	if (!rc && store_audit_verify(st, a, extra, nextra, have_key ? key : NULL, AUDIT_KEY_LEN,
				      pub, &v)) {
		fprintf(stderr, "pingan: cannot read the audit log\n");
		rc = 1;
	}
	if (!rc) {
		print_verdict(cfg->db, &v);
		rc = v.ok ? 0 : 1;
	}
	free(extra);
	sec_wipe(key, sizeof(key));
	sm2_free(pub);
	arena_free(a);
	store_close(st);
	return rc;
}

static json_t *anchor_json(const struct audit_anchor *x)
{
	return json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)x->id, "seq",
			 (json_int_t)x->seq, "hash", x->hash, "at_unix", (json_int_t)x->at, "alg",
			 x->alg, "key_id", x->key_id, "mac", x->mac, "sig", x->sig, "sig_key_id",
			 x->sig_key_id);
}

static int anchor(struct config *cfg, bool export)
{
	unsigned char key[AUDIT_KEY_LEN];
	struct sm2_key *sign = NULL;
	if (cli_audit_key(cfg, !export, key) || cli_audit_sign_key(cfg, !export, &sign))
		return 1;
	struct store *st = cli_open_store(cfg);
	if (!st) {
		sm2_free(sign);
		return 1;
	}
	struct arena *a = arena_new();
	int rc = 1;
	if (export) {
		struct audit_anchor *v;
		size_t n;
		long long seq;
		char hash[SEC_HEX_LEN], key_id[AUDIT_KEY_ID_LEN];
		if (store_audit_anchors(st, a, 0, 0, &v, &n) || store_audit_head(st, &seq, hash) ||
		    cli_audit(st, "audit.export", "audit", 0, "anchors")) {
			fprintf(stderr, "pingan: cannot read the anchors\n");
			goto out;
		}
		json_t *items = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(items, anchor_json(&v[i]));
		audit_key_id(key, sizeof(key), key_id);
		char *pem = sm2_public_pem(sign);
		json_t *j = json_pack("{s:o,s:{s:I,s:s},s:s,s:s}", "items", items, "head", "seq",
				      (json_int_t)seq, "hash", hash, "key_id", key_id, "public_key",
				      pem ? pem : "");
		free(pem);
		json_dumpf(j, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(j);
		rc = 0;
		goto out;
	}
	struct audit_anchor x;
	if (store_begin(st)) {
		fprintf(stderr, "pingan: cannot write an anchor\n");
		goto out;
	}
	if (cli_audit(st, "audit.anchor", "audit", 0, "") ||
	    store_audit_anchor(st, key, sizeof(key), sign, (long long)time(NULL), false, &x)) {
		store_rollback(st);
		fprintf(stderr, "pingan: cannot write an anchor\n");
		goto out;
	}
	if (store_commit(st)) {
		fprintf(stderr, "pingan: cannot write an anchor\n");
		goto out;
	}
	printf("anchor %lld: record %lld, hash %s, mac %s\n", x.id, x.seq, x.hash, x.mac);
	rc = 0;
out:
	sec_wipe(key, sizeof(key));
	sm2_free(sign);
	arena_free(a);
	store_close(st);
	return rc;
}

static int write_rec(void *ctx, const struct audit_rec *r)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
			      (json_int_t)r->seq, "at", (json_int_t)r->at, "user_id",
			      (json_int_t)r->user_id, "username", r->username, "ip", r->ip,
			      "action", r->action, "object", r->object, "outcome", r->outcome,
			      "detail", r->detail, "prev", r->prev, "hash", r->hash);
	int bad = !j || json_dumpf(j, ctx, JSON_COMPACT) || fputc('\n', ctx) == EOF;
	json_decref(j);
	return bad ? ERR_IO : 0;
}

/* `audit archive --out FILE`: the records older than the retention, as JSON
 * lines (with their chain hashes) into a new FILE, then out of the
 * database in one transaction that records the archive. Server stopped. */
static int archive(struct config *cfg, int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "--out")) {
		fprintf(stderr, "usage: pingan audit archive --out FILE.jsonl\n");
		return 2;
	}
	const char *out = argv[3];
	int lock = cli_db_lock(cfg->db);
	if (lock < 0) {
		fprintf(stderr, "pingan: %s '%s'; stop it before archiving\n",
			lock == -1 ? "a server is running on" : "cannot lock", cfg->db);
		return 1;
	}
	struct store *st = cli_open_store(cfg);
	if (!st) {
		close(lock);
		return 1;
	}
	int rc = 1;
	long long now = (long long)time(NULL), from, through;
	long long cutoff = now - cfg->audit_retention_days * 86400;
	if (store_audit_archivable(st, cutoff, &from, &through)) {
		fprintf(stderr, "pingan: cannot read the audit log\n");
		goto out;
	}
	if (through < from) {
		printf("nothing to archive: no record older than %lld days starts the log\n",
		       cfg->audit_retention_days);
		rc = 0;
		goto out;
	}
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "pingan: cannot create '%s': %s\n", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	int err = store_audit_each(st, from, through, write_rec, f);
	if (fflush(f) || fsync(fileno(f)))
		err = err ? err : ERR_IO;
	fclose(f);
	char sm3[SEC_HEX_LEN] = "";
	struct sec_hash *h = sec_hash_new(SEC_SM3);
	FILE *back = err ? NULL : fopen(out, "r");
	char buf[65536];
	size_t n;
	while (back && (n = fread(buf, 1, sizeof(buf), back)) > 0)
		sec_hash_update(h, buf, n);
	if (back)
		fclose(back);
	else
		err = err ? err : ERR_IO;
	sec_hash_final_hex(h, sm3);
	if (err) {
		fprintf(stderr, "pingan: cannot write '%s'\n", out);
		unlink(out);
		goto out;
	}
	char detail[200];
	snprintf(detail, sizeof(detail), "records %lld-%lld to %s (sm3 %.16s)", from, through, out,
		 sm3);
	if ((err = store_begin_bulk(st)))
		goto failed;
	if ((err = store_audit_archive(st, through, now, out, sm3)) ||
	    (err = cli_audit(st, "audit.archive", "audit", 0, detail))) {
		store_rollback(st);
		goto failed;
	}
	if ((err = store_commit(st)))
		goto failed;
	printf("archived %s\n", detail);
	rc = 0;
	goto out;
failed:
	fprintf(stderr, "pingan: the records stay in the database: %s\n",
		err == ERR_FORBIDDEN
			? "the database refuses to archive records younger than 184 days"
			: err_message(err));
	unlink(out);
out:
	store_close(st);
	close(lock);
	return rc;
}

int cli_audit_cmd(struct config *cfg, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "archive"))
		return archive(cfg, argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return verify(cfg, argc, argv);
	if (argc == 2 && !strcmp(argv[1], "anchor"))
		return anchor(cfg, false);
	if (argc == 2 && !strcmp(argv[1], "anchors"))
		return anchor(cfg, true);
	fprintf(stderr,
		"usage: pingan audit verify [--anchors EXPORT.json]... [--public-key PEM]\n"
		"       pingan audit anchor        sign the head now\n"
		"       pingan audit anchors       print every anchor and the head (JSON)\n"
		"       pingan audit archive --out FILE.jsonl   move records older than the "
		"retention out (server stopped)\n");
	return 2;
}
