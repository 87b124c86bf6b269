/*
 * migrations.h - the SQL migrations compiled into the binary (generated from
 * migrations/ by scripts/embed_sql.py). Applied in version order at open;
 * each applied version is recorded in schema_migrations.
 */
#ifndef PINGAN_STORE_MIGRATIONS_H
#define PINGAN_STORE_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration store_migrations[];
extern const int store_migrations_count;

#endif
