/*
 * app.h - a real application for the request fuzzers: the demo district in
 * a scratch database, the world loaded, sessions for a few roles.
 */
#ifndef PINGAN_FUZZ_APP_H
#define PINGAN_FUZZ_APP_H

#include "api/api.h"

#define FUZZ_ROLES 4 /* anonymous, admin, a command centre user, a grid worker */

/* Sets the application up once (later calls return the same one): the
 * demo district (PINGAN_DEMO_DATA or ./node_modules; a few events) in a
 * scratch folder under /dev/shm, removed at exit; built once and copied
 * from PINGAN_FUZZ_CACHE when that names a folder. tokens[0] is NULL
 * (anonymous), the others are session tokens. Aborts on failure. */
struct app *fuzz_app(const char *const **tokens);

#endif
