/*
 * err.c - lookups over ERR_MAP; see err.h.
 */
#include "core/err.h"

struct err_info {
	int code, status;
	const char *slug, *msg;
};

static const struct err_info table[] = {
#define ERR_ROW(name, st, sl, m) { ERR_##name, st, sl, m },
	ERR_MAP(ERR_ROW)
#undef ERR_ROW
};

static const struct err_info *find(int err)
{
	if (err <= ERR__FIRST || err >= ERR__LAST)
		err = ERR_INTERNAL;
	return &table[err - ERR__FIRST - 1];
}

const char *err_name(int err)
{
	return err == 0 ? "ok" : find(err)->slug;
}

int err_status(int err)
{
	return err == 0 ? 200 : find(err)->status;
}

const char *err_message(int err)
{
	return err == 0 ? "ok" : find(err)->msg;
}
