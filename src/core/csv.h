/*
 * csv.h - RFC 4180 reader.
 *
 * Quoted fields may hold commas, quotes ("") and newlines; CRLF or LF ends a
 * record; a UTF-8 byte-order mark at the start is skipped. Each field is
 * limited to CSV_FIELD_MAX bytes and each record to CSV_FIELDS_MAX fields so
 * a hostile file cannot exhaust memory. Errors name the line.
 */
#ifndef PINGAN_CORE_CSV_H
#define PINGAN_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/arena.h"

#define CSV_FIELD_MAX  65536
#define CSV_FIELDS_MAX 256

struct csv_reader {
	FILE *f;
	int line;     /* line the current record started on, 1-based */
	int nextline; /* line the reader is on */
	int first;
	char why[256];
};

/* Opens path for reading. 0 or ERR_IO (why set). */
int csv_open(struct csv_reader *r, const char *path);
/* Reads from an open stream the caller owns and closes. */
void csv_init(struct csv_reader *r, FILE *f);
void csv_close(struct csv_reader *r);
/* Reads the next record into fields[0..*n) allocated from a.
 * 1: a record; 0: end of file; ERR_BAD_FILE: malformed (why set). */
int csv_next(struct csv_reader *r, struct arena *a, char ***fields, size_t *n);

#endif
