/*
 * walbuf.h - a VFS for the writer connection that writes a transaction's
 * WAL frames with one system call (walbuf.c).
 */
#ifndef PINGAN_STORE_WALBUF_H
#define PINGAN_STORE_WALBUF_H

#define WALBUF_VFS "pingan-walbuf"

/* Registers the VFS (not as the default) once, before connections open:
 * an SQLite result code. */
int walbuf_register(void);

#endif
