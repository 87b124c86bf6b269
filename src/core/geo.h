/* geo.h - placeholder; being written (see geo helper). */
#ifndef PINGAN_CORE_GEO_H
#define PINGAN_CORE_GEO_H
#endif
