/* A stand-in for XS's xsPlatform.h, for compiling the SDK's fips180.c in iteration-cost.c's bench only. */
#include <string.h>
#define ICACHE_XS6RO_ATTR
#define c_memcpy memcpy
