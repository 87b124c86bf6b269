/* geo.c - placeholder */
#include "core/geo.h"
