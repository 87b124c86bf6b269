/*
 * csv.c - see csv.h. A small state machine over getc().
 */
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"

#include <string.h>

void csv_init(struct csv_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->nextline = 1;
	r->first = 1;
}

int csv_open(struct csv_reader *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	csv_init(r, f);
	if (!f) {
		snprintf(r->why, sizeof(r->why), "cannot open '%s'", path);
		return ERR_IO;
	}
	return 0;
}

void csv_close(struct csv_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}

static int fail_at(struct csv_reader *r, int line, const char *msg, struct strbuf *sb)
{
	snprintf(r->why, sizeof(r->why), "line %d: %s", line, msg);
	strbuf_release(sb);
	return ERR_BAD_FILE;
}

static int fail(struct csv_reader *r, const char *msg, struct strbuf *sb)
{
	snprintf(r->why, sizeof(r->why), "line %d: %s", r->nextline, msg);
	strbuf_release(sb);
	return ERR_BAD_FILE;
}

int csv_next(struct csv_reader *r, struct arena *a, char ***fields, size_t *n)
{
	struct strbuf sb = STRBUF_INIT;
	char *out[CSV_FIELDS_MAX];
	size_t nf = 0;
	int c, quoted = 0, in_quotes = 0, any = 0;

	strbuf_init(&sb, CSV_FIELD_MAX);
	if (r->first) {
		r->first = 0;
		c = getc(r->f);
		if (c == 0xef) {
			if (getc(r->f) != 0xbb || getc(r->f) != 0xbf)
				return fail(r, "bad byte-order mark", &sb);
		} else if (c != EOF) {
			ungetc(c, r->f);
		}
	}
	r->line = r->nextline;
	for (;;) {
		c = getc(r->f);
		if (c == EOF) {
			if (in_quotes)
				return fail_at(r, r->line, "unterminated quoted field", &sb);
			if (!any && nf == 0) {
				strbuf_release(&sb);
				return 0;
			}
			break;
		}
		any = 1;
		if (in_quotes) {
			if (c == '"') {
				int d = getc(r->f);
				if (d == '"') {
					if (strbuf_add(&sb, "\"", 1))
						return fail(r, "field too long", &sb);
					continue;
				}
				in_quotes = 0;
				if (d != EOF)
					ungetc(d, r->f);
				continue;
			}
			if (c == '\n')
				r->nextline++;
			if (strbuf_add(&sb, &(char){ (char)c }, 1))
				return fail(r, "field too long", &sb);
			continue;
		}
		if (c == '"') {
			if (sb.len || quoted)
				return fail(r, "quote inside an unquoted field", &sb);
			quoted = in_quotes = 1;
			continue;
		}
		if (c == ',' || c == '\n' || c == '\r') {
			if (c == '\r') {
				int d = getc(r->f);
				if (d != '\n' && d != EOF)
					ungetc(d, r->f);
			}
			if (nf == CSV_FIELDS_MAX)
				return fail(r, "too many fields", &sb);
			out[nf++] = arena_strndup(a, strbuf_str(&sb), sb.len);
			sb.len = 0;
			quoted = 0;
			if (c == ',')
				continue;
			r->nextline++;
			goto done;
		}
		if (quoted)
			return fail(r, "text after a closing quote", &sb);
		if (strbuf_add(&sb, &(char){ (char)c }, 1))
			return fail(r, "field too long", &sb);
	}
	if (nf == CSV_FIELDS_MAX)
		return fail(r, "too many fields", &sb);
	out[nf++] = arena_strndup(a, strbuf_str(&sb), sb.len);
done:
	strbuf_release(&sb);
	*fields = arena_alloc(a, nf * sizeof(char *));
	memcpy(*fields, out, nf * sizeof(char *));
	*n = nf;
	return 1;
}
