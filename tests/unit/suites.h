/* One line per unit test suite; see main.c. Keep in sync with meson.build. */
SUITE(core)
SUITE(geo)
SUITE(domain)
SUITE(store)
SUITE(calendar)
SUITE(workflow)
SUITE(form)
SUITE(crypt)
