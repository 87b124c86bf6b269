/*
 * h_orgs.c - the division tree, nodes, children, grids as GeoJSON, locate.
 *
 * Every read goes through the caller's scope (store layer): a node outside it
 * answers 404 exactly like a node that does not exist.
 */
#include "api/api.h"
#include "core/err.h"

#include <string.h>

/* code of the scope root: the last segment of its path */
static const char *scope_root(struct arena *a, const struct principal *who)
{
	const char *p = who->scope.root_path;
	size_t n = strlen(p);
	const char *end = p + (n ? n - 1 : 0), *start = end;
	while (start > p && start[-1] != '/')
		start--;
	return arena_strndup(a, start, (size_t)(end - start));
}

static int not_found(struct http_request *r, int err, const char *code)
{
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no org '%.40s'", code);
	return err;
}

int h_org_tree(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long depth;
	int err = api_query_int(r, "depth", 0, 4, 2, &depth);
	if (err)
		return err;
	const char *root = http_query(r, "root");
	if (!root)
		root = scope_root(r->arena, who);
	struct org *v;
	size_t n;
	if ((err = store_org_subtree(app->st, r->arena, &who->scope, root, (int)depth, &v, &n)))
		return not_found(r, err, root);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, api_org_json(&v[i]));
	http_reply_json(r, 200,
			json_pack("{s:s,s:I,s:o}", "root", root, "depth", (json_int_t)depth,
				  "items", items));
	return 0;
}

int h_org_get(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct org o;
	int err = store_org_get(app->st, r->arena, &who->scope, r->params[0], &o);
	if (err)
		return not_found(r, err, r->params[0]);
	json_t *j = api_org_json(&o);
	/* the chain of ancestors inside the caller's scope, for breadcrumbs */
	json_t *trail = json_array();
	char parent[ORG_CODE_MAX];
	memcpy(parent, o.parent, sizeof(parent));
	while (*parent) {
		struct org p;
		if (store_org_get(app->st, r->arena, &who->scope, parent, &p))
			break;
		json_array_insert_new(trail, 0,
				      json_pack("{s:s,s:s,s:s}", "code", p.code, "name", p.name,
						"kind", org_kind_name(p.kind)));
		memcpy(parent, p.parent, sizeof(parent));
	}
	json_object_set_new(j, "ancestors", trail);
	http_reply_json(r, 200, j);
	return 0;
}

int h_org_children(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct org *v;
	size_t n;
	int err = store_org_children(app->st, r->arena, &who->scope, r->params[0], &v, &n);
	if (err)
		return not_found(r, err, r->params[0]);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, api_org_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:s,s:o}", "parent", r->params[0], "items", items));
	return 0;
}

int h_org_grids(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct grid *v;
	size_t n;
	int err = store_grid_list(app->st, r->arena, &who->scope, r->params[0], &v, &n);
	if (err)
		return not_found(r, err, r->params[0]);
	json_t *features = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *geom = json_loads(v[i].geojson, 0, NULL);
		if (!geom)
			return http_error(r, ERR_INTERNAL, "stored geometry of grid '%s' is broken",
					  v[i].org.code);
		json_t *props = json_pack("{s:s,s:s,s:s,s:s,s:s,s:f}", "code", v[i].org.code,
					  "name", v[i].org.name, "community", v[i].org.parent,
					  "community_name", v[i].community, "street_name",
					  v[i].street, "area_m2", v[i].area_m2);
		json_array_append_new(features, json_pack("{s:s,s:s,s:o,s:o}", "type", "Feature",
							  "id", v[i].org.code, "properties", props,
							  "geometry", geom));
	}
	http_reply_json(r, 200,
			json_pack("{s:s,s:o}", "type", "FeatureCollection", "features", features));
	return 0;
}

int h_locate(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	double lon, lat;
	int err;
	if ((err = api_query_double(r, "lon", -180, 180, &lon)) ||
	    (err = api_query_double(r, "lat", -90, 90, &lat)))
		return err;
	json_t *j = json_pack("{s:{s:f,s:f}}", "point", "lon", lon, "lat", lat);
	const struct geo_index *ix = api_grids(app);
	int64_t id = ix ? geo_index_locate(ix, (struct geo_point){ lon, lat }) : -1;
	struct grid g;
	if (id < 0 || store_grid_by_id(app->st, r->arena, &who->scope, id, &g)) {
		/* outside every grid, or in a grid outside the caller's scope */
		json_object_set_new(j, "grid", json_null());
		http_reply_json(r, 200, j);
		return 0;
	}
	char street[ORG_CODE_MAX];
	org_parent_of_code(g.org.parent, street);
	json_object_set_new(j, "grid",
			    json_pack("{s:s,s:s}", "code", g.org.code, "name", g.org.name));
	json_object_set_new(j, "community",
			    json_pack("{s:s,s:s}", "code", g.org.parent, "name", g.community));
	json_object_set_new(j, "street", json_pack("{s:s,s:s}", "code", street, "name", g.street));
	http_reply_json(r, 200, j);
	return 0;
}
