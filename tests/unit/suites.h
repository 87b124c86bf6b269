/* One line per unit test suite; see main.c. Keep in sync with meson.build. */
SUITE(arena)
SUITE(err)
SUITE(geo)
