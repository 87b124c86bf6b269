/*
 * test_store.c - unit tests for src/store/ (store.h) on a real SQLite file.
 *
 * Each test opens a fresh database in its own mkdtemp() folder and removes
 * it afterwards. The tree used throughout is Binjiang (330108) with three
 * streets inserted out of order, a department, communities and grids, plus
 * a second district and a root whose path shares a prefix with Binjiang's
 * ("/3301080/" next to "/330108/"), so that scope and subtree range scans
 * are checked at their boundary. The concurrency test runs 8 reader threads
 * against a writer committing one org per transaction.
 */
#include "tap.h"

#include <limits.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/geo.h"
#include "core/str.h"
#include "domain/org.h"
#include "store/migrations.h"
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void suite_store(void);

#define T0 1700000000LL

struct fx {
	char dir[64];
	char path[128];
	struct store *st;
	struct arena *a;
};

static void fx_close(struct fx *f)
{
	char p[160];
	store_close(f->st);
	f->st = NULL;
	arena_free(f->a);
	f->a = NULL;
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	if (rmdir(f->dir))
		ok(0, "fixture: %s left files behind", f->dir);
}

static int fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pingan-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		ok(0, "fixture: mkdtemp");
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	char why[256];
	int err = store_open(f->path, 4, &f->st, why, sizeof(why));
	if (err) {
		ok(0, "fixture: store_open: %s", why);
		rmdir(f->dir);
		return -1;
	}
	f->a = arena_new();
	return 0;
}

static struct org mkorg(const char *code, enum org_kind kind, const char *parent, const char *name)
{
	struct org o;
	memset(&o, 0, sizeof(o));
	str_copy(o.code, sizeof(o.code), code);
	str_copy(o.parent, sizeof(o.parent), parent);
	o.kind = kind;
	o.name = name;
	o.name_en = "";
	return o;
}

static int put(struct store *st, const char *code, enum org_kind kind, const char *parent,
	       const char *name)
{
	struct org o = mkorg(code, kind, parent, name);
	return store_org_put(st, &o);
}

/* The tree most tests use; 0 or the first error. */
static int put_tree(struct store *st)
{
	static const struct {
		const char *code;
		enum org_kind kind;
		const char *parent, *name;
	} t[] = {
		{ "330108", ORG_DISTRICT, "", "滨江区" },
		{ "330108003", ORG_STREET, "330108", "浦沿街道" },
		{ "330108001", ORG_STREET, "330108", "西兴街道" },
		{ "330108D01", ORG_DEPARTMENT, "330108", "区应急管理局" },
		{ "330108002", ORG_STREET, "330108", "长河街道" },
		{ "330108001002", ORG_COMMUNITY, "330108001", "东冠社区" },
		{ "330108001001", ORG_COMMUNITY, "330108001", "星民社区" },
		{ "330108001001002", ORG_GRID, "330108001001", "星民二网格" },
		{ "330108001001001", ORG_GRID, "330108001001", "星民一网格" },
		{ "330108002001", ORG_COMMUNITY, "330108002", "江一社区" },
		{ "330108002001001", ORG_GRID, "330108002001", "一号网格" },
		{ "330109", ORG_DISTRICT, "", "萧山区" },
		{ "330109001", ORG_STREET, "330109", "城厢街道" },
		{ "3301080", ORG_DISTRICT, "", "prefix trap" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int err = put(st, t[i].code, t[i].kind, t[i].parent, t[i].name);
		if (err) {
			tap_diag("  put %s: %s", t[i].code, err_name(err));
			return err;
		}
	}
	return 0;
}

/* "a,b,c" of the codes in v */
static const char *codes(struct arena *a, const struct org *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", v[i].code);
	const char *s = arena_strdup(a, strbuf_str(&sb));
	strbuf_release(&sb);
	return s;
}

/* ---- open, migrate, reopen --------------------------------------------- */

static void test_open(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	is_int(store_schema_version(f.st), store_migrations[store_migrations_count - 1].version,
	       "open: at the latest schema version after creating");
	const char *ver = store_engine_version();
	ok(ver && str_starts_with(ver, "3."), "open: engine version %s", ver ? ver : "(null)");
	is_int(put(f.st, "330108", ORG_DISTRICT, "", "滨江区"), 0, "open: write an org");
	is_int(store_meta_set(f.st, "marker", "kept"), 0, "open: write meta");
	ok(store_size(f.st) > 0, "open: store_size > 0 (%lld)", store_size(f.st));
	is_int(store_checkpoint(f.st), 0, "open: checkpoint");
	ok(store_size(f.st) > 0, "open: store_size > 0 after a checkpoint");
	store_close(f.st);
	f.st = NULL;

	/* reopening must not re-apply 0001 (its CREATE TABLEs would fail) */
	char why[256] = "";
	is_int(store_open(f.path, 1, &f.st, why, sizeof(why)), 0, "open: reopen");
	if (!f.st) {
		tap_diag("  why: %s", why);
		fx_close(&f);
		return;
	}
	is_int(store_schema_version(f.st), store_migrations[store_migrations_count - 1].version,
	       "open: at the latest schema version after reopening");
	struct org o;
	struct scope all = { true, NULL };
	is_int(store_org_get(f.st, f.a, &all, "330108", &o), 0, "open: org kept");
	is_str(o.name, "滨江区", "open: org name kept");
	const char *v = NULL;
	is_int(store_meta_get(f.st, f.a, "marker", &v), 0, "open: meta kept");
	is_str(v, "kept", "open: meta value kept");
	store_close(f.st);
	f.st = NULL;

	/* a migration numbered below the highest applied one, but missing (the
	 * database was made before it was merged), is applied at the next open */
	sqlite3 *db = NULL;
	int rc = sqlite3_open(f.path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db,
				  "DROP TABLE user_totp; ALTER TABLE sessions DROP COLUMN stage; "
				  "DELETE FROM schema_migrations WHERE version = 8",
				  NULL, NULL, NULL);
	is_int(rc, SQLITE_OK, "open: a database without migration 0008 made by hand");
	sqlite3_close(db);
	is_int(store_open(f.path, 1, &f.st, why, sizeof(why)), 0, "open: reopen without 0008");
	if (!f.st) {
		fx_close(&f);
		return;
	}
	is_int(store_schema_version(f.st), store_migrations[store_migrations_count - 1].version,
	       "open: still at the latest version");
	store_close(f.st);
	f.st = NULL;
	db = NULL;
	int n = -1;
	if (sqlite3_open(f.path, &db) == SQLITE_OK) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(
			    db,
			    "SELECT (SELECT count(*) FROM schema_migrations WHERE version = 8) + "
			    "(SELECT count(*) FROM sqlite_master WHERE name = 'user_totp')",
			    -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			n = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	is_int(n, 2, "open: 0008 applied late: recorded, its table there");
	fx_close(&f);

	/* errors */
	struct store *st = NULL;
	why[0] = '\0';
	is_int(store_open("/nonexistent-dir/x/test.db", 1, &st, why, sizeof(why)), ERR_IO,
	       "open: a missing folder is ERR_IO");
	ok(strstr(why, "/nonexistent-dir/x/test.db") != NULL, "open: message names the file: %s",
	   why);
	ok(st == NULL, "open: no store on error");
	char dir[64] = "/tmp/pingan-store-XXXXXX", path[128];
	if (mkdtemp(dir)) {
		snprintf(path, sizeof(path), "%s/garbage.db", dir);
		FILE *g = fopen(path, "w");
		for (int i = 0; g && i < 200; i++)
			fputs("this is not an SQLite database, just text\n", g);
		if (g)
			fclose(g);
		why[0] = '\0';
		int err = store_open(path, 1, &st, why, sizeof(why));
		ok(err < 0, "open: a file that is not a database is refused (%s)", err_name(err));
		ok(why[0] != '\0', "open: with a message: %s", why);
		if (!err)
			store_close(st);
		unlink(path);
		rmdir(dir);
	}
	store_close(NULL);
	ok(1, "open: store_close(NULL) returns");
}

/* ---- orgs ------------------------------------------------------------- */

static void test_orgs(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	struct scope all = { true, NULL };
	struct org o;
	is_int(put_tree(f.st), 0, "orgs: the tree goes in");

	is_int(store_org_get(f.st, f.a, &all, "330108", &o), 0, "orgs: get the root");
	is_str(o.code, "330108", "orgs: root code");
	is_str(o.parent, "", "orgs: root has no parent");
	is_int(o.kind, ORG_DISTRICT, "orgs: root kind");
	is_str(o.name, "滨江区", "orgs: root name");
	is_str(o.name_en, "", "orgs: root name_en");
	is_str(o.path, "/330108/", "orgs: root path");
	is_int(o.depth, 0, "orgs: root depth");
	is_int(o.children, 4, "orgs: root has 4 children");

	is_int(store_org_get(f.st, f.a, &all, "330108001", &o), 0, "orgs: get a street");
	is_str(o.parent, "330108", "orgs: street's parent");
	is_str(o.path, "/330108/330108001/", "orgs: street path");
	is_int(o.depth, 1, "orgs: street depth");
	is_int(o.children, 2, "orgs: street has 2 children");
	is_int(store_org_get(f.st, f.a, &all, "330108001001002", &o), 0, "orgs: get a grid");
	is_str(o.path, "/330108/330108001/330108001001/330108001001002/", "orgs: grid path");
	is_int(o.depth, 3, "orgs: grid depth");
	is_int(o.kind, ORG_GRID, "orgs: grid kind");
	is_int(o.children, 0, "orgs: grid has no children");
	is_int(store_org_get(f.st, f.a, &all, "330108D01", &o), 0, "orgs: get a department");
	is_str(o.path, "/330108/330108D01/", "orgs: department path");
	is_int(o.kind, ORG_DEPARTMENT, "orgs: department kind");
	is_int(store_org_get(f.st, f.a, &all, "999999", &o), ERR_NOT_FOUND, "orgs: missing");

	/* unknown parent */
	is_int(put(f.st, "330110001", ORG_STREET, "330110", "x"), ERR_NOT_FOUND,
	       "orgs: unknown parent");
	is_int(store_org_get(f.st, f.a, &all, "330110001", &o), ERR_NOT_FOUND,
	       "orgs: nothing stored for an unknown parent");

	/* the name must have 1 to 200 characters */
	is_int(put(f.st, "330108004", ORG_STREET, "330108", ""), ERR_BAD_VALUE,
	       "orgs: empty name refused");
	char longname[700] = "";
	for (int i = 0; i < 201; i++)
		strcat(longname, "街");
	is_int(put(f.st, "330108004", ORG_STREET, "330108", longname), ERR_BAD_VALUE,
	       "orgs: 201-character name refused");
	longname[200 * 3] = '\0';
	is_int(put(f.st, "330108004", ORG_STREET, "330108", longname), 0,
	       "orgs: 200-character name (600 bytes) accepted");
	is_int(store_org_get(f.st, f.a, &all, "330108004", &o), 0, "orgs: get the long name");
	is_str(o.name, longname, "orgs: long name kept");

	/* same code, other kind */
	is_int(put(f.st, "330108001", ORG_COMMUNITY, "330108", "x"), ERR_CONFLICT,
	       "orgs: same code, other kind");
	is_int(put(f.st, "330108", ORG_STREET, "", "x"), ERR_CONFLICT,
	       "orgs: same root code, other kind");
	store_org_get(f.st, f.a, &all, "330108001", &o);
	ok(o.kind == ORG_STREET && !strcmp(o.name, "西兴街道"),
	   "orgs: a refused put changed nothing");

	/* rename through put */
	struct org r = mkorg("330108001", ORG_STREET, "330108", "西兴街道（新）");
	r.name_en = "Xixing";
	is_int(store_org_put(f.st, &r), 0, "orgs: rename through put");
	is_int(store_org_get(f.st, f.a, &all, "330108001", &o), 0, "orgs: get the renamed");
	is_str(o.name, "西兴街道（新）", "orgs: new name");
	is_str(o.name_en, "Xixing", "orgs: new name_en");
	is_str(o.path, "/330108/330108001/", "orgs: rename keeps the path");
	is_int(o.depth, 1, "orgs: rename keeps the depth");
	is_int(o.children, 2, "orgs: rename keeps the children");
	is_int(put(f.st, "330108001", ORG_STREET, "330108", "西兴街道（新）"), 0,
	       "orgs: put with nothing changed");
	/* moving is not supported */
	is_int(put(f.st, "330108001", ORG_STREET, "330109", "x"), ERR_CONFLICT,
	       "orgs: moving under another parent refused");
	store_org_get(f.st, f.a, &all, "330108001", &o);
	is_str(o.path, "/330108/330108001/", "orgs: a refused move changed nothing");
	is_int(put(f.st, "330108001", ORG_STREET, "", "x"), ERR_CONFLICT,
	       "orgs: moving to the root refused");

	/* scope */
	struct scope street = { false, "/330108/330108001/" };
	struct scope district = { false, "/330108/" };
	is_int(store_org_get(f.st, f.a, &street, "330108001001", &o), 0, "scope: inside");
	is_int(store_org_get(f.st, f.a, &street, "330108001", &o), 0, "scope: its own root");
	is_int(store_org_get(f.st, f.a, &street, "330108001001001", &o), 0, "scope: deep inside");
	is_int(store_org_get(f.st, f.a, &street, "330108002", &o), ERR_NOT_FOUND,
	       "scope: a sibling is not found");
	is_int(store_org_get(f.st, f.a, &street, "330108002001001", &o), ERR_NOT_FOUND,
	       "scope: a sibling's grid is not found");
	is_int(store_org_get(f.st, f.a, &street, "330108", &o), ERR_NOT_FOUND,
	       "scope: the parent is not found");
	is_int(store_org_get(f.st, f.a, &district, "330108D01", &o), 0,
	       "scope: department inside the district");
	is_int(store_org_get(f.st, f.a, &district, "3301080", &o), ERR_NOT_FOUND,
	       "scope: '/3301080/' is not inside '/330108/'");
	is_int(store_org_get(f.st, f.a, &district, "330109001", &o), ERR_NOT_FOUND,
	       "scope: another district's street");
	is_int(store_org_get(f.st, f.a, &all, "330109001", &o), 0, "scope: all sees everything");

	/* children */
	struct org *v;
	size_t n;
	is_int(store_org_children(f.st, f.a, &all, "330108", &v, &n), 0, "children: of the root");
	is_str(codes(f.a, v, n), "330108001,330108002,330108003,330108004,330108D01",
	       "children: in code order");
	if (n == 5) {
		is_int(v[0].children, 2, "children: 330108001 has 2");
		is_int(v[1].children, 1, "children: 330108002 has 1");
		is_int(v[2].children, 0, "children: 330108003 has 0");
		is_str(v[4].path, "/330108/330108D01/", "children: rows are full orgs");
	}
	is_int(store_org_children(f.st, f.a, &all, "330108001001001", &v, &n), 0,
	       "children: of a grid");
	is_int(n, 0, "children: a grid has none");
	is_int(store_org_children(f.st, f.a, &street, "330108001", &v, &n), 0,
	       "children: inside the scope");
	is_str(codes(f.a, v, n), "330108001001,330108001002", "children: the street's two");
	is_int(store_org_children(f.st, f.a, &street, "330108", &v, &n), ERR_NOT_FOUND,
	       "children: of an org outside the scope");
	is_int(store_org_children(f.st, f.a, &all, "999999", &v, &n), ERR_NOT_FOUND,
	       "children: of a missing org");

	/* subtree */
	is_int(store_org_subtree(f.st, f.a, &all, "330108", 0, &v, &n), 0, "subtree: depth 0");
	is_str(codes(f.a, v, n), "330108", "subtree: depth 0 is the node");
	is_int(store_org_subtree(f.st, f.a, &all, "330108", 1, &v, &n), 0, "subtree: depth 1");
	is_str(codes(f.a, v, n), "330108,330108001,330108002,330108003,330108004,330108D01",
	       "subtree: depth 1 in path order");
	is_int(store_org_subtree(f.st, f.a, &all, "330108", -1, &v, &n), 0, "subtree: all");
	is_str(codes(f.a, v, n),
	       "330108,330108001,330108001001,330108001001001,330108001001002,330108001002,"
	       "330108002,330108002001,330108002001001,330108003,330108004,330108D01",
	       "subtree: all 12, in path order, not the '3301080' root");
	is_int(store_org_subtree(f.st, f.a, &all, "330108001", 1, &v, &n), 0,
	       "subtree: depth 1 below a street");
	is_str(codes(f.a, v, n), "330108001,330108001001,330108001002",
	       "subtree: max_depth is relative to the node");
	is_int(store_org_subtree(f.st, f.a, &all, "330108001", 1000, &v, &n), 0,
	       "subtree: a depth beyond the tree");
	is_int(n, 5, "subtree: a depth beyond the tree gives everything below");
	is_int(store_org_subtree(f.st, f.a, &all, "330108001", INT_MAX, &v, &n), 0,
	       "subtree: INT_MAX depth below a street (no overflow)");
	is_int(n, 5, "subtree: INT_MAX means all levels");
	is_int(store_org_subtree(f.st, f.a, &street, "330108001", -1, &v, &n), 0,
	       "subtree: inside the scope");
	is_int(n, 5, "subtree: the street's 5");
	is_int(store_org_subtree(f.st, f.a, &street, "330108", -1, &v, &n), ERR_NOT_FOUND,
	       "subtree: of an org outside the scope");
	is_int(store_org_subtree(f.st, f.a, &all, "3301080", -1, &v, &n), 0,
	       "subtree: of the prefix-trap root");
	is_str(codes(f.a, v, n), "3301080", "subtree: only itself");

	/* counts */
	long long counts[ORG__COUNT];
	memset(counts, 0xff, sizeof(counts));
	is_int(store_org_counts(f.st, counts), 0, "counts");
	is_int(counts[ORG_DISTRICT], 3, "counts: districts");
	is_int(counts[ORG_STREET], 5, "counts: streets");
	is_int(counts[ORG_COMMUNITY], 3, "counts: communities");
	is_int(counts[ORG_GRID], 3, "counts: grids");
	is_int(counts[ORG_DEPARTMENT], 1, "counts: departments");

	/* many children, more than one arena growth step */
	int bad = 0;
	char code[16];
	for (int i = 0; i < 40; i++) {
		snprintf(code, sizeof(code), "330109%03d", 999 - i);
		bad += put(f.st, code, ORG_STREET, "330109", "x") != 0;
	}
	is_int(bad, 0, "children: 40 more streets");
	is_int(store_org_children(f.st, f.a, &all, "330109", &v, &n), 0, "children: 41 streets");
	is_int(n, 41, "children: all 41 listed");
	int sorted = n == 41;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = strcmp(v[i - 1].code, v[i].code) < 0;
	ok(sorted, "children: 41 in code order");
	fx_close(&f);
}

/* ---- grids ------------------------------------------------------------- */

struct each_ctx {
	int n;
	int64_t ids[8];
	char codes[8][24];
	int geom_ok;
	const unsigned char *want;
	size_t want_len;
};

static void each_cb(void *ctx, int64_t id, const char *code, const void *geom, size_t len)
{
	struct each_ctx *c = ctx;
	if (c->n < 8) {
		c->ids[c->n] = id;
		str_copy(c->codes[c->n], sizeof(c->codes[0]), code);
	}
	c->n++;
	if (len == c->want_len && !memcmp(geom, c->want, len))
		c->geom_ok++;
}

static size_t square(struct arena *a, double x0, double y0, double d, unsigned char **out)
{
	struct geo_point *p = arena_alloc(a, 5 * sizeof(*p));
	p[0] = (struct geo_point){ x0, y0 };
	p[1] = (struct geo_point){ x0 + d, y0 };
	p[2] = (struct geo_point){ x0 + d, y0 + d };
	p[3] = (struct geo_point){ x0, y0 + d };
	p[4] = p[0];
	struct geo_ring *r = arena_alloc(a, sizeof(*r));
	r->pts = p;
	r->n = 5;
	struct geo_polygon *pg = arena_alloc(a, sizeof(*pg));
	pg->rings = r;
	pg->nrings = 1;
	struct geo_shape s = { .polys = pg, .npolys = 1 };
	geo_shape_bbox(&s);
	return geo_shape_encode(&s, a, out);
}

static void test_grids(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	struct scope all = { true, NULL };
	struct scope street = { false, "/330108/330108001/" };
	struct scope other = { false, "/330108/330108002/" };
	if (put_tree(f.st)) {
		ok(0, "grids: tree");
		fx_close(&f);
		return;
	}
	unsigned char *g1, *g2, *g3;
	size_t l1 = square(f.a, 120.20, 30.20, 0.001, &g1);
	size_t l2 = square(f.a, 120.21, 30.20, 0.001, &g2);
	size_t l3 = square(f.a, 120.22, 30.20, 0.001, &g3);
	ok(l1 > 0 && l1 == l2, "grids: squares encoded (%zu bytes)", l1);
	const char *gj = "{\"type\":\"Polygon\",\"coordinates\":[]}";
	is_int(store_grid_put(f.st, "330108001001001", g1, l1, gj, 120.20, 30.20, 120.201, 30.201,
			      10000.5),
	       0, "grids: put grid 1");
	is_int(store_grid_put(f.st, "330108001001002", g2, l2, gj, 120.21, 30.20, 120.211, 30.201,
			      20000),
	       0, "grids: put grid 2");
	is_int(store_grid_put(f.st, "330108002001001", g3, l3, gj, 120.22, 30.20, 120.221, 30.201,
			      30000),
	       0, "grids: put grid 3");
	is_int(store_grid_put(f.st, "330108001001", g1, l1, gj, 0, 0, 1, 1, 1), ERR_NOT_FOUND,
	       "grids: a community is not a grid");
	is_int(store_grid_put(f.st, "330108D01", g1, l1, gj, 0, 0, 1, 1, 1), ERR_NOT_FOUND,
	       "grids: a department is not a grid");
	is_int(store_grid_put(f.st, "330108001001009", g1, l1, gj, 0, 0, 1, 1, 1), ERR_NOT_FOUND,
	       "grids: a missing org");

	struct grid *v;
	size_t n;
	is_int(store_grid_list(f.st, f.a, &all, "330108", &v, &n), 0, "grids: list the district");
	is_int(n, 3, "grids: three grids");
	if (n == 3) {
		is_str(v[0].org.code, "330108001001001", "grids: in code order 1");
		is_str(v[1].org.code, "330108001001002", "grids: in code order 2");
		is_str(v[2].org.code, "330108002001001", "grids: in code order 3");
		is_str(v[0].org.name, "星民一网格", "grids: grid name");
		is_str(v[0].org.path, "/330108/330108001/330108001001/330108001001001/",
		       "grids: grid path");
		is_str(v[0].community, "星民社区", "grids: community name");
		is_str(v[0].street, "西兴街道", "grids: street name");
		is_str(v[2].community, "江一社区", "grids: the other community");
		is_str(v[2].street, "长河街道", "grids: the other street");
		ok(v[0].geom_len == l1 && !memcmp(v[0].geom, g1, l1), "grids: geometry bytes");
		ok(v[1].geom_len == l2 && !memcmp(v[1].geom, g2, l2), "grids: geometry 2 bytes");
		is_str(v[0].geojson, gj, "grids: geojson");
		ok(v[0].area_m2 == 10000.5, "grids: area");
		struct geo_shape s;
		is_int(geo_shape_decode(v[0].geom, v[0].geom_len, f.a, &s), 0,
		       "grids: stored geometry decodes");
		ok(s.npolys == 1 && s.polys[0].nrings == 1 && s.polys[0].rings[0].n == 5 &&
			   s.polys[0].rings[0].pts[2].x == 120.20 + 0.001 &&
			   s.polys[0].rings[0].pts[2].y == 30.20 + 0.001,
		   "grids: decoded square");
	}
	is_int(store_grid_list(f.st, f.a, &street, "330108001", &v, &n), 0,
	       "grids: list a street in its scope");
	is_int(n, 2, "grids: the street's two");
	is_int(store_grid_list(f.st, f.a, &street, "330108", &v, &n), ERR_NOT_FOUND,
	       "grids: list above the scope");
	is_int(store_grid_list(f.st, f.a, &all, "330108001001001", &v, &n), 0,
	       "grids: list under a grid");
	is_int(n, 1, "grids: a grid's subtree holds itself");
	is_int(store_grid_list(f.st, f.a, &all, "330108003", &v, &n), 0,
	       "grids: list a street without grids");
	is_int(n, 0, "grids: none");
	is_int(store_grid_list(f.st, f.a, &all, "3301080", &v, &n), 0, "grids: prefix-trap root");
	is_int(n, 0, "grids: none under '3301080'");

	/* update */
	const char *gj2 = "{\"type\":\"Polygon\",\"coordinates\":[[]]}";
	is_int(store_grid_put(f.st, "330108001001001", g3, l3, gj2, 0, 0, 1, 1, 42), 0,
	       "grids: put again updates");
	is_int(store_grid_list(f.st, f.a, &all, "330108001001", &v, &n), 0, "grids: list again");
	is_int(n, 2, "grids: still two in the community");
	if (n >= 1) {
		is_str(v[0].geojson, gj2, "grids: geojson updated");
		ok(v[0].area_m2 == 42 && v[0].geom_len == l3 && !memcmp(v[0].geom, g3, l3),
		   "grids: geometry and area updated");
	}
	store_grid_put(f.st, "330108001001001", g1, l1, gj, 0, 0, 1, 1, 10000.5);

	/* each and by_id */
	struct each_ctx c = { .want = g1, .want_len = l1 };
	is_int(store_grid_each(f.st, each_cb, &c), 0, "grids: each");
	is_int(c.n, 3, "grids: each visits three");
	is_int(c.geom_ok, 1, "grids: each hands out the geometry");
	ok(c.ids[0] < c.ids[1] && c.ids[1] < c.ids[2], "grids: each in id order");
	struct grid g;
	for (int i = 0; i < 3 && i < c.n; i++) {
		is_int(store_grid_by_id(f.st, f.a, &all, c.ids[i], &g), 0, "grids: by_id %d", i);
		is_str(g.org.code, c.codes[i], "grids: by_id %d is each's code", i);
	}
	int found_street = -1, found_other = -1;
	for (int i = 0; i < 3 && i < c.n; i++) {
		if (!strcmp(c.codes[i], "330108001001002"))
			found_street = i;
		if (!strcmp(c.codes[i], "330108002001001"))
			found_other = i;
	}
	ok(found_street >= 0 && found_other >= 0, "grids: each saw both streets' grids");
	if (found_street >= 0 && found_other >= 0) {
		is_int(store_grid_by_id(f.st, f.a, &street, c.ids[found_street], &g), 0,
		       "grids: by_id inside the scope");
		is_str(g.street, "西兴街道", "grids: by_id has the street");
		is_str(g.community, "星民社区", "grids: by_id has the community");
		is_int(store_grid_by_id(f.st, f.a, &street, c.ids[found_other], &g), ERR_NOT_FOUND,
		       "grids: by_id outside the scope");
		is_int(store_grid_by_id(f.st, f.a, &other, c.ids[found_other], &g), 0,
		       "grids: by_id in the other scope");
	}
	is_int(store_grid_by_id(f.st, f.a, &all, 987654, &g), ERR_NOT_FOUND,
	       "grids: by_id of a missing id");
	struct org o;
	store_org_get(f.st, f.a, &all, "330108", &o);
	is_int(store_grid_by_id(f.st, f.a, &all, 1, &g), ERR_NOT_FOUND,
	       "grids: by_id of a non-grid org's id (the first org, 1) is not found");
	fx_close(&f);
}

/* ---- users ------------------------------------------------------------- */

static long long add(struct store *st, const char *name, const char *org, unsigned roles, int *err)
{
	struct user u;
	memset(&u, 0, sizeof(u));
	u.username = name;
	u.display_name = "显示名";
	u.org_code = org;
	u.roles = roles;
	u.password_hash = "$pbkdf2-sm3$v=1$i=1000$x$y";
	u.created_at = T0;
	u.id = -5;
	*err = store_user_add(st, &u);
	return u.id;
}

static void test_users(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	if (put_tree(f.st)) {
		ok(0, "users: tree");
		fx_close(&f);
		return;
	}
	int err;
	long long alice =
		add(f.st, "Alice", "330108001001", ROLE(GRID_WORKER) | ROLE(MEDIATOR), &err);
	is_int(err, 0, "users: add Alice");
	ok(alice > 0, "users: id set (%lld)", alice);
	add(f.st, "alice", "330108002", ROLE(LEADER), &err);
	is_int(err, ERR_CONFLICT, "users: 'alice' taken by 'Alice'");
	add(f.st, "ALICE", "330108002", ROLE(LEADER), &err);
	is_int(err, ERR_CONFLICT, "users: 'ALICE' taken by 'Alice'");
	add(f.st, "bob", "999999", ROLE(LEADER), &err);
	is_int(err, ERR_NOT_FOUND, "users: unknown org");
	long long bob = add(f.st, "bob", "330108002", ROLE(LEADER), &err);
	is_int(err, 0, "users: add bob");
	ok(bob > alice, "users: bob's id follows");
	long long carl = add(f.st, "carl", "330108D01", 0, &err);
	is_int(err, 0, "users: add carl without roles");
	long long all9 = add(f.st, "root", "330109", 0x1ff, &err);
	is_int(err, 0, "users: add one with all nine roles");

	struct user u;
	is_int(store_user_get(f.st, f.a, alice, &u), 0, "users: get by id");
	is_int(u.id, alice, "users: id");
	is_str(u.username, "Alice", "users: username as given");
	is_str(u.display_name, "显示名", "users: display name");
	is_str(u.org_code, "330108001001", "users: org code");
	is_str(u.org_path, "/330108/330108001/330108001001/", "users: org path");
	is_int(u.org_kind, ORG_COMMUNITY, "users: org kind");
	is_int(u.roles, ROLE(GRID_WORKER) | ROLE(MEDIATOR), "users: roles round trip");
	is_str(u.password_hash, "$pbkdf2-sm3$v=1$i=1000$x$y", "users: password hash");
	ok(!u.disabled, "users: enabled");
	is_int(u.failed_logins, 0, "users: no failures");
	is_int(u.locked_until, 0, "users: not locked");
	is_int(u.created_at, T0, "users: created_at");
	is_int(u.password_changed_at, T0, "users: password_changed_at starts at created_at");
	is_int(store_user_get_by_name(f.st, f.a, "Alice", &u), 0, "users: get by name");
	is_int(u.id, alice, "users: by name finds Alice");
	is_int(store_user_get_by_name(f.st, f.a, "aLiCe", &u), 0,
	       "users: names match case-insensitively");
	is_int(u.id, alice, "users: by other case finds Alice");
	is_int(store_user_get_by_name(f.st, f.a, "nobody", &u), ERR_NOT_FOUND,
	       "users: unknown name");
	is_int(store_user_get(f.st, f.a, 999999, &u), ERR_NOT_FOUND, "users: unknown id");
	is_int(store_user_get(f.st, f.a, carl, &u), 0, "users: get carl");
	is_int(u.roles, 0, "users: no roles round trip");
	is_int(u.org_kind, ORG_DEPARTMENT, "users: department user");
	is_int(store_user_get(f.st, f.a, all9, &u), 0, "users: get root");
	is_int(u.roles, 0x1ff, "users: nine roles round trip");

	/* listing under a scope */
	struct scope all = { true, NULL };
	struct scope district = { false, "/330108/" };
	struct scope street = { false, "/330108/330108001/" };
	struct scope nowhere = { false, "/330110/" };
	struct user *v;
	size_t n;
	is_int(store_user_list(f.st, f.a, &all, &v, &n), 0, "users: list all");
	is_int(n, 4, "users: four");
	if (n == 4)
		ok(!strcmp(v[0].username, "Alice") && !strcmp(v[1].username, "bob") &&
			   !strcmp(v[2].username, "carl") && !strcmp(v[3].username, "root"),
		   "users: by name");
	is_int(store_user_list(f.st, f.a, &district, &v, &n), 0, "users: list the district");
	is_int(n, 3, "users: three in the district (department included)");
	is_int(store_user_list(f.st, f.a, &street, &v, &n), 0, "users: list a street");
	ok(n == 1 && v[0].id == alice, "users: only Alice in street 001");
	is_int(store_user_list(f.st, f.a, &nowhere, &v, &n), 0, "users: list an empty scope");
	is_int(n, 0, "users: nobody there");

	/* many users: the list grows past its first allocation */
	char name[16];
	int bad = 0;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "u%03d", 39 - i);
		add(f.st, name, "330108003", ROLE(CENTRE), &err);
		bad += err != 0;
	}
	is_int(bad, 0, "users: 40 more");
	struct scope s3 = { false, "/330108/330108003/" };
	is_int(store_user_list(f.st, f.a, &s3, &v, &n), 0, "users: list 40");
	int sorted = n == 40;
	for (size_t i = 0; i < n && sorted; i++) {
		snprintf(name, sizeof(name), "u%03d", (int)i);
		sorted = !strcmp(v[i].username, name) && v[i].roles == ROLE(CENTRE);
	}
	ok(sorted, "users: 40 listed in name order with their roles");

	/* failed logins and locking */
	bool locked = true;
	is_int(store_user_login_failed(f.st, alice, T0, 3, 600, &locked), 0, "lock: failure 1");
	ok(!locked, "lock: not locked after 1");
	is_int(store_user_login_failed(f.st, alice, T0 + 1, 3, 600, &locked), 0, "lock: failure 2");
	ok(!locked, "lock: not locked after 2");
	store_user_get(f.st, f.a, alice, &u);
	is_int(u.failed_logins, 2, "lock: two failures stored");
	is_int(store_user_login_failed(f.st, alice, T0 + 2, 3, 600, &locked), 0, "lock: failure 3");
	ok(locked, "lock: locked at the threshold");
	store_user_get(f.st, f.a, alice, &u);
	is_int(u.locked_until, T0 + 2 + 600, "lock: locked_until = now + lock_seconds");
	is_int(u.failed_logins, 0, "lock: counter reset when locking");
	is_int(store_user_login_failed(f.st, alice, T0 + 700, 3, 600, &locked), 0,
	       "lock: failure after the lock ran out");
	ok(!locked, "lock: not locked again by one failure");
	store_user_get(f.st, f.a, alice, &u);
	is_int(u.failed_logins, 1, "lock: counting again from 1");
	is_int(store_user_login_ok(f.st, alice), 0, "lock: login ok");
	store_user_get(f.st, f.a, alice, &u);
	is_int(u.failed_logins, 0, "lock: login ok clears the counter");
	is_int(store_user_login_failed(f.st, bob, T0, 1, 60, &locked), 0, "lock: threshold 1");
	ok(locked, "lock: threshold 1 locks at once");

	/* set_password clears failures and the lock */
	store_user_login_failed(f.st, alice, T0, 5, 600, &locked);
	store_user_login_failed(f.st, alice, T0, 5, 600, &locked);
	is_int(store_user_set_password(f.st, bob, "$new$bob", T0 + 50), 0, "passwd: set bob's");
	store_user_get(f.st, f.a, bob, &u);
	is_int(u.locked_until, 0, "passwd: lock cleared");
	is_str(u.password_hash, "$new$bob", "passwd: hash stored");
	is_int(u.password_changed_at, T0 + 50, "passwd: changed_at stored");
	is_int(u.created_at, T0, "passwd: created_at kept");
	is_int(store_user_set_password(f.st, alice, "$new$alice", T0 + 60), 0,
	       "passwd: set Alice's");
	store_user_get(f.st, f.a, alice, &u);
	is_int(u.failed_logins, 0, "passwd: failures cleared");
	is_int(store_user_set_password(f.st, 999999, "$x", T0), ERR_NOT_FOUND,
	       "passwd: unknown user");

	/* disabling */
	is_int(store_user_set_disabled(f.st, alice, true), 0, "disable: Alice");
	store_user_get(f.st, f.a, alice, &u);
	ok(u.disabled, "disable: stored");
	store_user_get(f.st, f.a, bob, &u);
	ok(!u.disabled, "disable: bob untouched");
	is_int(store_user_set_disabled(f.st, alice, true), 0, "disable: twice is fine");
	is_int(store_user_set_disabled(f.st, alice, false), 0, "enable: Alice");
	store_user_get(f.st, f.a, alice, &u);
	ok(!u.disabled, "enable: stored");
	is_int(store_user_set_disabled(f.st, 999999, true), ERR_NOT_FOUND, "disable: unknown user");
	fx_close(&f);
}

/* ---- sessions and meta --------------------------------------------------- */

static void test_sessions_meta(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	int err;
	put(f.st, "330108", ORG_DISTRICT, "", "滨江区");
	long long u1 = add(f.st, "one", "330108", ROLE(ADMIN), &err);
	long long u2 = add(f.st, "two", "330108", ROLE(ADMIN), &err);
	struct session s;
	is_int(store_session_add(f.st, "h1", u1, T0, T0 + 100, "192.0.2.1"), 0, "session: add");
	is_int(store_session_get(f.st, f.a, "h1", &s), 0, "session: get");
	is_str(s.token_hash, "h1", "session: token hash");
	is_int(s.user_id, u1, "session: user");
	is_int(s.created_at, T0, "session: created_at");
	is_int(s.last_seen, T0, "session: last_seen starts at created_at");
	is_int(s.expires_at, T0 + 100, "session: expires_at");
	is_int(store_session_add(f.st, "h1", u2, T0, T0 + 100, NULL), ERR_CONFLICT,
	       "session: a token hash is unique");
	is_int(store_session_add(f.st, "hx", 999999, T0, T0 + 100, NULL), ERR_NOT_FOUND,
	       "session: unknown user");
	is_int(store_session_get(f.st, f.a, "nope", &s), ERR_NOT_FOUND, "session: unknown hash");
	is_int(store_session_touch(f.st, "h1", T0 + 50), 0, "session: touch");
	store_session_get(f.st, f.a, "h1", &s);
	is_int(s.last_seen, T0 + 50, "session: touched");
	is_int(s.created_at, T0, "session: touch keeps created_at");
	is_int(s.expires_at, T0 + 100, "session: touch keeps expires_at");

	store_session_add(f.st, "h2", u1, T0, T0 + 100, NULL);
	store_session_add(f.st, "h3", u1, T0, T0 + 100, "");
	store_session_add(f.st, "h4", u2, T0, T0 + 1000, NULL);
	is_int(store_session_delete(f.st, "h2"), 0, "session: delete one");
	is_int(store_session_get(f.st, f.a, "h2", &s), ERR_NOT_FOUND, "session: deleted");
	is_int(store_session_get(f.st, f.a, "h1", &s), 0, "session: others kept");
	is_int(store_session_delete(f.st, "h2"), 0, "session: deleting again is fine");
	is_int(store_session_delete_user(f.st, u1), 0, "session: delete a user's");
	ok(store_session_get(f.st, f.a, "h1", &s) == ERR_NOT_FOUND &&
		   store_session_get(f.st, f.a, "h3", &s) == ERR_NOT_FOUND,
	   "session: all of user one's gone");
	is_int(store_session_get(f.st, f.a, "h4", &s), 0, "session: user two's kept");
	/* adding drops the user's expired sessions */
	store_session_add(f.st, "h5", u2, T0, T0 + 10, NULL);
	is_int(store_session_add(f.st, "h6", u2, T0 + 10, T0 + 500, NULL), 0,
	       "session: add after one expired");
	is_int(store_session_get(f.st, f.a, "h5", &s), ERR_NOT_FOUND,
	       "session: the expired one was dropped");
	is_int(store_session_get(f.st, f.a, "h4", &s), 0, "session: the live one kept");

	/* meta */
	const char *v = "unset";
	is_int(store_meta_get(f.st, f.a, "k", &v), ERR_NOT_FOUND, "meta: missing");
	is_str(v, "unset", "meta: missing leaves the value");
	is_int(store_meta_set(f.st, "k", "v1"), 0, "meta: set");
	is_int(store_meta_get(f.st, f.a, "k", &v), 0, "meta: get");
	is_str(v, "v1", "meta: value");
	is_int(store_meta_set(f.st, "k", "第二个值"), 0, "meta: overwrite");
	is_int(store_meta_get(f.st, f.a, "k", &v), 0, "meta: get again");
	is_str(v, "第二个值", "meta: overwritten value");
	is_int(store_meta_set(f.st, "empty", ""), 0, "meta: empty value");
	is_int(store_meta_get(f.st, f.a, "empty", &v), 0, "meta: get the empty value");
	is_str(v, "", "meta: empty value read back");
	is_int(store_meta_get(f.st, f.a, "K", &v), ERR_NOT_FOUND, "meta: keys are case-sensitive");
	fx_close(&f);
}

/* ---- transactions and threads ------------------------------------------ */

struct read_arg {
	struct store *st;
	const char *code;
	int result;
};

static void *read_once(void *p)
{
	struct read_arg *r = p;
	struct arena *a = arena_new();
	struct scope all = { true, NULL };
	struct org o;
	r->result = store_org_get(r->st, a, &all, r->code, &o);
	arena_free(a);
	return NULL;
}

static void test_transactions(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	struct scope all = { true, NULL };
	struct org o;
	const char *v;
	put(f.st, "330108", ORG_DISTRICT, "", "滨江区");

	is_int(store_begin(f.st), 0, "tx: begin");
	is_int(put(f.st, "330108001", ORG_STREET, "330108", "a"), 0, "tx: put in the transaction");
	is_int(store_meta_set(f.st, "tx", "1"), 0, "tx: meta in the transaction");
	int err;
	add(f.st, "txuser", "330108001", ROLE(CENTRE), &err);
	is_int(err, 0, "tx: user in the transaction (its org is the uncommitted one)");
	is_int(store_org_get(f.st, f.a, &all, "330108001", &o), 0,
	       "tx: a read inside sees the transaction's own write");
	is_str(o.path, "/330108/330108001/", "tx: with its path");
	struct user u;
	is_int(store_user_get_by_name(f.st, f.a, "txuser", &u), 0, "tx: reads its own user");
	struct org *kids;
	size_t n;
	is_int(store_org_children(f.st, f.a, &all, "330108", &kids, &n), 0, "tx: children inside");
	is_int(n, 1, "tx: the new child is listed");
	struct read_arg r = { f.st, "330108001", 1 };
	pthread_t th;
	pthread_create(&th, NULL, read_once, &r);
	pthread_join(th, NULL);
	is_int(r.result, ERR_NOT_FOUND, "tx: another thread does not see uncommitted writes");
	r.code = "330108";
	pthread_create(&th, NULL, read_once, &r);
	pthread_join(th, NULL);
	is_int(r.result, 0, "tx: another thread still reads committed rows");
	store_rollback(f.st);
	is_int(store_org_get(f.st, f.a, &all, "330108001", &o), ERR_NOT_FOUND,
	       "tx: rollback leaves no org");
	is_int(store_meta_get(f.st, f.a, "tx", &v), ERR_NOT_FOUND, "tx: rollback leaves no meta");
	is_int(store_user_get_by_name(f.st, f.a, "txuser", &u), ERR_NOT_FOUND,
	       "tx: rollback leaves no user");

	is_int(store_begin(f.st), 0, "tx: begin again");
	is_int(put(f.st, "330108002", ORG_STREET, "330108", "b"), 0, "tx: put");
	is_int(store_meta_set(f.st, "tx", "2"), 0, "tx: meta");
	is_int(put(f.st, "330110001", ORG_STREET, "330110", "bad"), ERR_NOT_FOUND,
	       "tx: a failing write inside");
	is_int(store_commit(f.st), 0, "tx: commit");
	is_int(store_org_get(f.st, f.a, &all, "330108002", &o), 0, "tx: commit keeps the org");
	is_int(store_meta_get(f.st, f.a, "tx", &v), 0, "tx: commit keeps the meta");
	is_str(v, "2", "tx: committed meta value");
	r.code = "330108002";
	pthread_create(&th, NULL, read_once, &r);
	pthread_join(th, NULL);
	is_int(r.result, 0, "tx: other threads see it after commit");
	/* plain writes work after transactions */
	is_int(put(f.st, "330108003", ORG_STREET, "330108", "c"), 0, "tx: write after commit");
	fx_close(&f);
}

struct reader {
	pthread_t th;
	struct store *st;
	int errors, wrong;
};

static void *reader_main(void *p)
{
	struct reader *r = p;
	struct scope all = { true, NULL };
	for (int i = 0; i < 200; i++) {
		struct arena *a = arena_new();
		struct org o;
		int err = store_org_get(r->st, a, &all, "330108", &o);
		if (err)
			r->errors++;
		else if (strcmp(o.path, "/330108/") || strcmp(o.name, "滨江区"))
			r->wrong++;
		arena_free(a);
	}
	return NULL;
}

static void test_concurrency(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	put(f.st, "330108", ORG_DISTRICT, "", "滨江区");
	struct reader rd[8];
	for (int i = 0; i < 8; i++) {
		memset(&rd[i], 0, sizeof(rd[i]));
		rd[i].st = f.st;
		pthread_create(&rd[i].th, NULL, reader_main, &rd[i]);
	}
	int werr = 0;
	char code[16];
	for (int i = 0; i < 200; i++) {
		snprintf(code, sizeof(code), "330108%03d", i + 100);
		int e = store_begin(f.st);
		if (e) {
			werr++;
			continue;
		}
		e = put(f.st, code, ORG_STREET, "330108", "street");
		if (e)
			store_rollback(f.st);
		else
			e = store_commit(f.st);
		werr += e != 0;
	}
	int rerr = 0, wrong = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(rd[i].th, NULL);
		rerr += rd[i].errors;
		wrong += rd[i].wrong;
	}
	is_int(werr, 0, "threads: 200 writes in separate transactions, no errors");
	is_int(rerr, 0, "threads: 8 x 200 reads, no errors");
	is_int(wrong, 0, "threads: every read saw the right row");
	long long counts[ORG__COUNT];
	store_org_counts(f.st, counts);
	is_int(counts[ORG_STREET], 200, "threads: all 200 streets there");
	fx_close(&f);
}

struct gwriter {
	struct store *st;
	int first, errors;
	pthread_t th;
};

/* 50 streets, one write each, declared as a request would (store_write_intent) */
static void *gwriter_main(void *arg)
{
	struct gwriter *w = arg;
	char code[16];
	for (int i = 0; i < 50; i++) {
		snprintf(code, sizeof(code), "330108%03d", w->first + i);
		store_write_intent(w->st);
		w->errors += put(w->st, code, ORG_STREET, "330108", "street") != 0;
		store_write_intent_end(w->st);
	}
	return NULL;
}

/* A bulk write among them: 20 streets, and an inner part rolled back. */
static void *gbulk_main(void *arg)
{
	struct gwriter *w = arg;
	char code[24];
	store_write_intent(w->st);
	if (store_begin_bulk(w->st)) {
		w->errors++;
		store_write_intent_end(w->st);
		return NULL;
	}
	for (int i = 0; i < 20; i++) {
		snprintf(code, sizeof(code), "330108%03d", w->first + i);
		w->errors += put(w->st, code, ORG_STREET, "330108", "bulk") != 0;
	}
	if (store_begin(w->st) == 0) {
		snprintf(code, sizeof(code), "330108%03d", w->first + 20);
		w->errors += put(w->st, code, ORG_STREET, "330108", "undone") != 0;
		store_rollback(w->st);
	}
	w->errors += store_commit(w->st) != 0;
	store_write_intent_end(w->st);
	return NULL;
}

/* Writes from eight threads at once and a bulk write: each is acknowledged
 * once durable, groups share commits, a failing write takes none of its
 * group with it, and all of it is there after a reopen; with savepoint
 * journals in a file (the default) and in memory (the server's). */
static void test_group_commit(bool in_memory)
{
	struct fx f;
	if (fx_open(&f))
		return;
	const char *mode = in_memory ? "journal in memory" : "journal in a file";
	store_journal_in_memory(f.st, in_memory);
	put(f.st, "330108", ORG_DISTRICT, "", "滨江区");
	unsigned long long w0, c0, s0, w1, c1, s1;
	store_group_stats(f.st, &w0, &c0, &s0);
	struct gwriter g[9];
	for (int i = 0; i < 9; i++) {
		g[i] = (struct gwriter){ .st = f.st, .first = 100 + 50 * i };
		pthread_create(&g[i].th, NULL, i < 8 ? gwriter_main : gbulk_main, &g[i]);
	}
	/* meanwhile a write that fails (its parent does not exist) */
	int bad = put(f.st, "330108999", ORG_STREET, "330109", "orphan");
	int errors = 0;
	for (int i = 0; i < 9; i++) {
		pthread_join(g[i].th, NULL);
		errors += g[i].errors;
	}
	store_group_stats(f.st, &w1, &c1, &s1);
	is_int(errors, 0,
	       "group commit (%s): 8 threads x 50 writes and a bulk write, every one acknowledged",
	       mode);
	ok(bad != 0, "group commit (%s): the failing write fails (%d)", mode, bad);
	ok(w1 - w0 == 401 && c1 - c0 < 401 && s1 - s0 <= c1 - c0 && s1 > s0,
	   "group commit (%s): %llu writes in %llu commits and %llu flushes", mode, w1 - w0,
	   c1 - c0, s1 - s0);
	char why[256];
	store_close(f.st);
	f.st = NULL;
	int err = store_open(f.path, 2, &f.st, why, sizeof(why));
	is_int(err, 0, "group commit (%s): reopens", mode);
	if (!err) {
		long long counts[ORG__COUNT];
		store_org_counts(f.st, counts);
		is_int(counts[ORG_STREET], 420,
		       "group commit (%s): all 420 streets there, not the orphan nor the undone",
		       mode);
	}
	fx_close(&f);
}

void suite_store(void)
{
	test_open();
	test_orgs();
	test_grids();
	test_users();
	test_sessions_meta();
	test_transactions();
	test_concurrency();
	test_group_commit(false);
	test_group_commit(true);
}
