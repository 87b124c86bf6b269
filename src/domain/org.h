/*
 * org.h - org nodes, roles and scope.
 *
 * The org tree follows the national division codes (GB/T 2260 and the
 * 12-digit statistical codes): district 330108, street 330108001, community
 * 330108001001, grid 330108001001NNN (three digits under its community).
 * Departments hang under a district or street: the parent's code, 'D', two
 * digits (330108D01, 330108001D01).
 *
 * Every org stores its materialised path ("/330108/330108001/"), so "is X in
 * the subtree of Y" is a prefix test and a subtree query is a range scan.
 * A user's scope is the subtree of the org they are bound to; for a
 * department user it is the subtree of the department's parent division
 * (a district department works across the district).
 */
#ifndef PINGAN_DOMAIN_ORG_H
#define PINGAN_DOMAIN_ORG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum org_kind { ORG_DISTRICT, ORG_STREET, ORG_COMMUNITY, ORG_GRID, ORG_DEPARTMENT, ORG__COUNT };

#define ORG_CODE_MAX 24

struct org {
	char code[ORG_CODE_MAX];
	char parent[ORG_CODE_MAX]; /* "" for a root */
	enum org_kind kind;
	const char *name;
	const char *name_en; /* may be "" */
	const char *path;    /* "/330108/330108001/" including itself */
	int depth;           /* 0 for a root */
	int children;        /* number of direct children (filled by listings) */
};

const char *org_kind_name(enum org_kind k);
/* 0 or ERR_BAD_VALUE */
int org_kind_parse(const char *s, enum org_kind *out);

/* Checks that code has the right shape for kind and, given the parent's code
 * and kind ("" / ORG__COUNT for a root), that it sits under it.
 * 0 or ERR_BAD_VALUE with a message in why. */
int org_check_code(const char *code, enum org_kind kind, const char *parent,
		   enum org_kind parent_kind, char *why, size_t whylen);
/* The kind a code's shape implies: 6 digits district, 9 street, 12
 * community, 15 grid, ...D.. department. ERR_BAD_VALUE if none. */
int org_kind_of_code(const char *code, enum org_kind *out);
/* The parent code a division code implies ("" for a district). */
void org_parent_of_code(const char *code, char *out);
/* true if path is inside (or equal to) the subtree rooted at root_path. */
bool org_path_within(const char *path, const char *root_path);

/* Roles: a bit each. */
#define ROLE_MAP(X)                                       \
	X(ADMIN, "admin", "系统管理员")                   \
	X(SECURITY_ADMIN, "security_admin", "安全管理员") \
	X(AUDIT_ADMIN, "audit_admin", "审计管理员")       \
	X(CENTRE, "centre", "指挥中心")                   \
	X(HANDLER, "handler", "部门处置人员")             \
	X(GRID_WORKER, "grid_worker", "网格员")           \
	X(MEDIATOR, "mediator", "人民调解员")             \
	X(INSPECTOR, "inspector", "安监员")               \
	X(LEADER, "leader", "领导")                       \
	X(ASSESSOR, "assessor", "考评员")

enum role_bit {
#define ROLE_ENUM(n, s, zh) ROLE_BIT_##n,
	ROLE_MAP(ROLE_ENUM)
#undef ROLE_ENUM
		ROLE__COUNT
};
#define ROLE(n) (1u << ROLE_BIT_##n)

const char *role_name(int bit);
const char *role_name_zh(int bit);
/* Parses "admin,centre" into a mask. 0 or ERR_BAD_VALUE (why names the bad one). */
int role_parse_list(const char *s, unsigned *mask, char *why, size_t whylen);
/* "admin,centre" from a mask, allocated from a. */
char *role_format(struct arena *a, unsigned mask);
/* Three-way separation (三权分立): at most one of admin, security_admin and
 * audit_admin, and audit_admin alone. 0 or ERR_BAD_VALUE with why. */
int role_check_separation(unsigned mask, char *why, size_t whylen);

/* Scope a store query runs under: all (system-wide) or a path prefix. */
struct scope {
	bool all;
	const char *root_path; /* when !all: "/330108/330108001/" */
	long long self_id;     /* the user: what they reported is theirs to see too */
};

#endif
