/*
 * h_export.c - GET /api/v1/events.csv: the event list as a spreadsheet.
 *
 * The same filters and scope as GET /api/v1/events (api_event_filter and
 * the store's scoped list), newest first. The file is UTF-8 with a
 * byte-order mark (Excel opens Chinese correctly only with it), CRLF line
 * ends, Chinese column headers, times in China Standard Time.
 *
 * Streaming: the answer is produced while it is sent (http_reply_callback):
 * a page of EXPORT_PAGE events at a time, through the id cursor, without
 * counting (event_filter.no_total), so memory stays one page whatever the
 * size. At most export_max_rows rows: the cap is in the X-Export-Limit
 * header, and a file that reached it ends with a line saying so.
 *
 * Cells that start with = + - @ (a formula to a spreadsheet) get a leading
 * apostrophe, so a report's title cannot run as a formula.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_PAGE 500

struct export
{
	struct app *app;
	struct arena *a;    /* filter, scope, categories: the whole export */
	struct arena *page; /* one page of events */
	struct event_filter f;
	struct scope scope;
	struct category *cats;
	size_t ncats;
	long long cap, rows;
	bool done;
	struct strbuf out; /* rendered, not yet handed over */
	size_t off;
};

static const char *const header[] = {
	"编号",     "回执号",   "类别代码", "类别",     "标题",     "描述",     "地址",
	"经度",     "纬度",     "网格",     "社区",     "街道",     "来源",     "状态",
	"紧急程度", "处置部门", "预警",     "是否超期", "升级次数", "返工次数", "督办次数",
	"上报时间", "更新时间", "处置时限", "结案时间",
};

static void cell(struct strbuf *sb, const char *v, bool text)
{
	if (!v)
		v = "";
	bool quote = strpbrk(v, ",\"\r\n") != NULL;
	bool guard = text && strchr("=+-@\t\r", v[0]) && v[0];
	if (quote)
		strbuf_addstr(sb, "\"");
	if (guard)
		strbuf_addstr(sb, "'");
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			strbuf_addstr(sb, "\"\"");
		else
			strbuf_add(sb, p, 1);
	}
	if (quote)
		strbuf_addstr(sb, "\"");
	strbuf_addstr(sb, ",");
}

static void cell_int(struct strbuf *sb, long long v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%lld", v);
	cell(sb, buf, false);
}

/* local (UTC+8) time, "" for none */
static void cell_time(struct strbuf *sb, long long t)
{
	char buf[32] = "";
	if (t) {
		time_t lt = (time_t)(t + CAL_TZ_OFFSET);
		struct tm tm;
		gmtime_r(&lt, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	}
	cell(sb, buf, false);
}

/* segment k (0: district) of an org path */
static void cell_segment(struct strbuf *sb, const char *path, int k, bool want)
{
	char buf[32] = "";
	const char *p = path;
	for (int i = 0; want && p && i <= k; i++) {
		p = strchr(p, '/');
		if (p)
			p++;
	}
	const char *e = want && p ? strchr(p, '/') : NULL;
	if (e && (size_t)(e - p) < sizeof(buf)) {
		memcpy(buf, p, (size_t)(e - p));
		buf[e - p] = '\0';
	}
	cell(sb, buf, false);
}

static const char *source_zh(const char *s)
{
	static const struct {
		const char *code, *zh;
	} m[] = { { "grid_worker", "网格员" }, { "centre", "治理中心" }, { "department", "部门" },
		  { "staff", "工作人员" },     { "citizen", "群众" },    { "open311", "Open311" } };
	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (!strcmp(s, m[i].code))
			return m[i].zh;
	return s;
}

static void row(struct export *x, const struct event *e)
{
	struct strbuf *sb = &x->out;
	char buf[64];
	static const char *const urgency[] = { "", "一般", "紧急", "特急" };
	static const char *const warn[] = { "无", "黄灯", "红灯" };
	const char *cat = "";
	for (size_t i = 0; i < x->ncats; i++)
		if (!strcmp(x->cats[i].code, e->category))
			cat = x->cats[i].name;
	bool in_grid = e->grid_code && *e->grid_code;
	cell_int(sb, e->id);
	cell(sb, e->receipt, false);
	cell(sb, e->category, false);
	cell(sb, cat, true);
	cell(sb, e->title, true);
	cell(sb, e->description, true);
	cell(sb, e->address, true);
	if (e->has_point) {
		snprintf(buf, sizeof(buf), "%.6f", e->lon);
		cell(sb, buf, false);
		snprintf(buf, sizeof(buf), "%.6f", e->lat);
		cell(sb, buf, false);
	} else {
		cell(sb, "", false);
		cell(sb, "", false);
	}
	cell(sb, in_grid ? e->grid_code : "", false);
	cell_segment(sb, e->org_path, 2, in_grid);
	cell_segment(sb, e->org_path, 1, in_grid);
	cell(sb, source_zh(e->source), false);
	cell(sb, wf_event.states[e->state].zh, false);
	cell(sb, urgency[e->urgency >= 1 && e->urgency <= 3 ? e->urgency : 1], false);
	cell(sb, e->assignee, false);
	cell(sb, warn[e->warn >= 0 && e->warn <= 2 ? e->warn : 0], false);
	cell(sb, e->warn >= 2 && !(wf_event.states[e->state].flags & WF_TERMINAL) ? "是" : "否",
	     false);
	cell_int(sb, e->level);
	cell_int(sb, e->reworks);
	cell_int(sb, e->supervisions);
	cell_time(sb, e->created_at);
	cell_time(sb, e->updated_at);
	cell_time(sb, e->deadline_at);
	cell_time(sb, e->closed_at);
	sb->buf[--sb->len] = '\0'; /* the last comma */
	strbuf_addstr(sb, "\r\n");
}

/* Renders the next page into x->out; false at the end. */
static bool next_page(struct export *x)
{
	if (x->done)
		return false;
	long long want = x->cap - x->rows;
	arena_free(x->page);
	x->page = arena_new();
	x->f.limit = want > EXPORT_PAGE ? EXPORT_PAGE : want > 0 ? (int)want : 1;
	struct event *v;
	size_t n;
	long long total;
	if (store_event_list(x->app->st, x->page, &x->scope, &x->f, &v, &n, &total)) {
		x->done = true;
		strbuf_addstr(&x->out,
			      "# 导出中断：数据库错误 (the export stopped: database error)\r\n");
		return true;
	}
	if (want <= 0) {
		/* the cap is reached: say so if there was more */
		x->done = true;
		if (n)
			strbuf_addf(
				&x->out,
				"# 仅导出前 %lld 条，已达导出上限 export_max_rows (only the first "
				"%lld rows: the export limit)\r\n",
				x->cap, x->cap);
		return n > 0;
	}
	for (size_t i = 0; i < n; i++)
		row(x, &v[i]);
	x->rows += (long long)n;
	if (n)
		x->f.before_id = v[n - 1].id;
	if (n < (size_t)x->f.limit)
		x->done = true;
	return n > 0;
}

static ssize_t fill(void *ctx, char *buf, size_t max)
{
	struct export *x = ctx;
	while (x->off == x->out.len) {
		x->out.len = x->off = 0;
		if (!next_page(x))
			return 0;
	}
	size_t k = x->out.len - x->off;
	if (k > max)
		k = max;
	memcpy(buf, x->out.buf + x->off, k);
	x->off += k;
	return (ssize_t)k;
}

static void release(void *ctx)
{
	struct export *x = ctx;
	arena_free(x->page);
	arena_free(x->a);
	strbuf_release(&x->out);
	free(x);
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

int h_event_export(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct event_filter f;
	int err = api_event_filter(app, r, who, &f);
	if (err)
		return err;
	/* an export is audited before a byte of it leaves (its own write) */
	if ((err = api_audit(app, r, who, "events.export", "events", "ok",
			     "state=%s category=%s org=%s grid=%s assignee=%s q=%s by=%s",
			     f.states ? f.states : "", f.category ? f.category : "",
			     f.org ? f.org : "", f.grid ? f.grid : "", f.assignee ? f.assignee : "",
			     f.q ? f.q : "", f.bidx_col ? f.bidx_col : "")))
		return err;
	struct export *x = xcalloc(1, sizeof(*x));
	x->app = app;
	x->a = arena_new();
	x->cap = app->cfg->export_max_rows;
	/* the answer outlives the handler: copy what the pages need */
	x->f = f;
	x->f.no_total = true;
	x->f.states = dup_or_null(x->a, f.states);
	x->f.category = dup_or_null(x->a, f.category);
	x->f.org = dup_or_null(x->a, f.org);
	x->f.grid = dup_or_null(x->a, f.grid);
	x->f.assignee = dup_or_null(x->a, f.assignee);
	x->f.q = dup_or_null(x->a, f.q);
	for (int i = 0; i < f.nbidx; i++)
		x->f.bidx[i] = dup_or_null(x->a, f.bidx[i]);
	x->scope = who->scope;
	x->scope.root_path = dup_or_null(x->a, who->scope.root_path);
	if ((err = store_category_list(app->st, x->a, &x->cats, &x->ncats))) {
		release(x);
		return err;
	}
	strbuf_init(&x->out, 0);
	strbuf_addstr(&x->out, "\xEF\xBB\xBF");
	for (size_t i = 0; i < ARRAY_SIZE(header); i++)
		strbuf_addf(&x->out, "%s%s", i ? "," : "", header[i]);
	strbuf_addstr(&x->out, "\r\n");
	char day[16];
	time_t lt = (time_t)(app->now() + CAL_TZ_OFFSET);
	struct tm tm;
	gmtime_r(&lt, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	http_add_header(r, "Content-Disposition",
			arena_printf(r->arena, "attachment; filename=\"events-%s.csv\"", day));
	http_add_header(r, "X-Export-Limit", arena_printf(r->arena, "%lld", x->cap));
	http_reply_callback(r, 200, "text/csv; charset=utf-8", fill, x, release);
	return 0;
}
