/*
 * walbuf.c - the writer's WAL written a transaction at a time.
 *
 * SQLite writes each WAL frame with two system calls, its 24-byte header
 * and then its page, so a COMMIT of a group of reports made some thirty
 * pwrite() calls per report, all under the writer lock (docs/performance.md).
 * This VFS wraps the default one for the writer connection only: writes to
 * its WAL that follow one another are gathered in a buffer and written with
 * one call when the transaction's commit frame is complete (SQLite marks it
 * with a non-zero database size in the frame's header), when the buffer is
 * full, and before anything else touches the file (a read, a sync, a
 * truncate, its size, a file control, a write elsewhere, the close).
 *
 * So each frame is in the file, in the order SQLite wrote it, before the
 * COMMIT goes on to publish the frames to readers (the wal-index header is
 * written after the frames), and a failed write is still the failed write
 * of the frame that completed the commit: SQLite sees the error where it
 * would have. Readers and the checkpointer use the default VFS: only the
 * writer writes frames.
 */
#include "store/walbuf.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

/* at most what the unix VFS writes in one call: it masks a write's length
 * with 0x1ffff and answers SQLITE_FULL for the rest */
#define WALBUF_CAP    (120 * 1024)
#define WAL_FRAME_HDR 24

struct wfile {
	sqlite3_file base; /* its methods: wal_methods */
	sqlite3_file *real;
	unsigned char *buf;
	size_t len;
	sqlite3_int64 at;  /* the file offset of buf[0] */
	bool commit_frame; /* the last write was a commit frame's header */
};

static sqlite3_vfs *base_vfs;
static sqlite3_vfs walbuf_vfs;

static int flush(struct wfile *f)
{
	if (!f->len)
		return SQLITE_OK;
	int rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->at);
	f->len = 0;
	return rc;
}

static int wb_write(sqlite3_file *file, const void *data, int amt, sqlite3_int64 off)
{
	struct wfile *f = (struct wfile *)file;
	int rc;
	if (f->len && (off != f->at + (sqlite3_int64)f->len || f->len + (size_t)amt > WALBUF_CAP))
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
	if (!f->buf && !(f->buf = sqlite3_malloc(WALBUF_CAP)))
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if ((size_t)amt > WALBUF_CAP)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if (!f->len)
		f->at = off;
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += (size_t)amt;
	if (amt == WAL_FRAME_HDR) {
		/* bytes 4-7: the database size in pages after a commit, else 0 */
		const unsigned char *h = data;
		f->commit_frame = h[4] | h[5] | h[6] | h[7];
		return SQLITE_OK;
	}
	if (f->commit_frame) {
		f->commit_frame = false;
		return flush(f);
	}
	return SQLITE_OK;
}

static int wb_close(sqlite3_file *file)
{
	struct wfile *f = (struct wfile *)file;
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	sqlite3_free(f->buf);
	f->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *file, void *data, int amt, sqlite3_int64 off)
{
	struct wfile *f = (struct wfile *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, data, amt, off);
}

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct wfile *f = (struct wfile *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *file, int flags)
{
	struct wfile *f = (struct wfile *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct wfile *f = (struct wfile *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *file, int lock)
{
	struct wfile *f = (struct wfile *)file;
	return f->real->pMethods->xLock(f->real, lock);
}

static int wb_unlock(sqlite3_file *file, int lock)
{
	struct wfile *f = (struct wfile *)file;
	return f->real->pMethods->xUnlock(f->real, lock);
}

static int wb_check_reserved(sqlite3_file *file, int *out)
{
	struct wfile *f = (struct wfile *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_file_control(sqlite3_file *file, int op, void *arg)
{
	struct wfile *f = (struct wfile *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector_size(sqlite3_file *file)
{
	struct wfile *f = (struct wfile *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device_characteristics(sqlite3_file *file)
{
	struct wfile *f = (struct wfile *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* version 1: a WAL file has no shared memory and is not memory-mapped */
static const sqlite3_io_methods wal_methods = {
	.iVersion = 1,
	.xClose = wb_close,
	.xRead = wb_read,
	.xWrite = wb_write,
	.xTruncate = wb_truncate,
	.xSync = wb_sync,
	.xFileSize = wb_file_size,
	.xLock = wb_lock,
	.xUnlock = wb_unlock,
	.xCheckReservedLock = wb_check_reserved,
	.xFileControl = wb_file_control,
	.xSectorSize = wb_sector_size,
	.xDeviceCharacteristics = wb_device_characteristics,
};

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
		   int *out_flags)
{
	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
	struct wfile *f = (struct wfile *)file;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
	f->base.pMethods = rc == SQLITE_OK ? &wal_methods : NULL;
	return rc;
}

int walbuf_register(void)
{
	if (base_vfs)
		return SQLITE_OK;
	sqlite3_vfs *b = sqlite3_vfs_find(NULL);
	if (!b)
		return SQLITE_ERROR;
	walbuf_vfs = *b;
	walbuf_vfs.pNext = NULL;
	walbuf_vfs.zName = WALBUF_VFS;
	/* the wrapper, then the wrapped file, aligned as SQLite aligns it */
	walbuf_vfs.szOsFile = (int)((sizeof(struct wfile) + 7) / 8 * 8) + b->szOsFile;
	walbuf_vfs.xOpen = wb_open;
	base_vfs = b;
	return sqlite3_vfs_register(&walbuf_vfs, 0);
}
