/*
 * org.c - code rules, roles and scope; see org.h.
 */
#include "domain/org.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = { "district", "street", "community", "grid", "department" };

const char *org_kind_name(enum org_kind k)
{
	return k < ORG__COUNT ? kind_names[k] : "unknown";
}

int org_kind_parse(const char *s, enum org_kind *out)
{
	for (int i = 0; i < ORG__COUNT; i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum org_kind)i;
			return 0;
		}
	}
	return ERR_BAD_VALUE;
}

int org_kind_of_code(const char *code, enum org_kind *out)
{
	size_t n = strlen(code);
	const char *d = strchr(code, 'D');
	if (d) {
		size_t pre = (size_t)(d - code);
		char head[ORG_CODE_MAX];
		if ((pre != 6 && pre != 9) || n != pre + 3 || pre >= sizeof(head))
			return ERR_BAD_VALUE;
		memcpy(head, code, pre);
		head[pre] = '\0';
		if (!str_is_digits(head, pre) || !str_is_digits(d + 1, 2))
			return ERR_BAD_VALUE;
		*out = ORG_DEPARTMENT;
		return 0;
	}
	if (!str_is_digits(code, n))
		return ERR_BAD_VALUE;
	switch (n) {
	case 6: *out = ORG_DISTRICT; return 0;
	case 9: *out = ORG_STREET; return 0;
	case 12: *out = ORG_COMMUNITY; return 0;
	case 15: *out = ORG_GRID; return 0;
	default: return ERR_BAD_VALUE;
	}
}

void org_parent_of_code(const char *code, char *out)
{
	size_t n = strlen(code);
	const char *d = strchr(code, 'D');
	size_t keep = d ? (size_t)(d - code) : n == 15 ? 12 : n == 12 ? 9 : n == 9 ? 6 : 0;
	memcpy(out, code, keep);
	out[keep] = '\0';
}

int org_check_code(const char *code, enum org_kind kind, const char *parent,
		   enum org_kind parent_kind, char *why, size_t whylen)
{
	enum org_kind implied;
	if (strlen(code) >= ORG_CODE_MAX || org_kind_of_code(code, &implied)) {
		snprintf(why, whylen, "code '%.30s' is not a division or department code", code);
		return ERR_BAD_VALUE;
	}
	if (implied != kind) {
		snprintf(why, whylen, "code '%s' is a %s code, not a %s code", code,
			 org_kind_name(implied), org_kind_name(kind));
		return ERR_BAD_VALUE;
	}
	if (!strcmp(code, "000000") || (kind == ORG_DISTRICT && code[0] == '0')) {
		snprintf(why, whylen, "code '%s' is not a district code", code);
		return ERR_BAD_VALUE;
	}
	char want[ORG_CODE_MAX];
	org_parent_of_code(code, want);
	if (strcmp(want, parent ? parent : "")) {
		snprintf(why, whylen, "code '%s' does not belong under '%s'", code,
			 parent && *parent ? parent : "(root)");
		return ERR_BAD_VALUE;
	}
	if (kind == ORG_DEPARTMENT && parent_kind != ORG_DISTRICT && parent_kind != ORG_STREET) {
		snprintf(why, whylen, "department '%s' must be under a district or street", code);
		return ERR_BAD_VALUE;
	}
	if (kind != ORG_DEPARTMENT && kind != ORG_DISTRICT && parent_kind != kind - 1) {
		snprintf(why, whylen, "%s '%s' must be under a %s", org_kind_name(kind), code,
			 org_kind_name(kind - 1));
		return ERR_BAD_VALUE;
	}
	return 0;
}

bool org_path_within(const char *path, const char *root_path)
{
	return str_starts_with(path, root_path);
}

static const char *const role_names[] = {
#define ROLE_S(n, s, zh) s,
	ROLE_MAP(ROLE_S)
#undef ROLE_S
};
static const char *const role_names_zh[] = {
#define ROLE_Z(n, s, zh) zh,
	ROLE_MAP(ROLE_Z)
#undef ROLE_Z
};

const char *role_name(int bit)
{
	return bit >= 0 && bit < ROLE__COUNT ? role_names[bit] : "unknown";
}

const char *role_name_zh(int bit)
{
	return bit >= 0 && bit < ROLE__COUNT ? role_names_zh[bit] : "未知";
}

int role_parse_list(const char *s, unsigned *mask, char *why, size_t whylen)
{
	*mask = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		int found = -1;
		for (int i = 0; i < ROLE__COUNT; i++)
			if (strlen(role_names[i]) == n && !strncmp(s, role_names[i], n))
				found = i;
		if (found < 0) {
			snprintf(why, whylen, "unknown role '%.*s'", (int)(n > 40 ? 40 : n), s);
			return ERR_BAD_VALUE;
		}
		*mask |= 1u << found;
		s += n;
		if (*s == ',')
			s++;
	}
	if (!*mask) {
		snprintf(why, whylen, "at least one role is needed");
		return ERR_BAD_VALUE;
	}
	return 0;
}

char *role_format(struct arena *a, unsigned mask)
{
	char buf[256] = "";
	size_t len = 0;
	for (int i = 0; i < ROLE__COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "",
					role_names[i]);
	}
	return arena_strdup(a, buf);
}

int role_check_separation(unsigned mask, char *why, size_t whylen)
{
	unsigned admins = mask & (ROLE(ADMIN) | ROLE(SECURITY_ADMIN) | ROLE(AUDIT_ADMIN));
	if (admins & (admins - 1)) {
		snprintf(why, whylen,
			 "the system, security and audit administrator roles are held by "
			 "different people: give one of them");
		return ERR_BAD_VALUE;
	}
	if ((mask & ROLE(AUDIT_ADMIN)) && mask != ROLE(AUDIT_ADMIN)) {
		snprintf(why, whylen, "the audit administrator holds no other role");
		return ERR_BAD_VALUE;
	}
	return 0;
}
