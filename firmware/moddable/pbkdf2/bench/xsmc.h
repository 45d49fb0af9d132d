/*
 * A stand-in for XS's xsmc.h, for iteration-cost.c only: just enough of the xsmc API for
 * kcl-pbkdf2.c to run with no engine, so an instruction counter sees nothing but the native's own
 * work. Not used by any build of the app.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t xsUnsignedValue;
typedef int32_t xsIntegerValue;
typedef struct {
	int integer;
	const void *data;
	uint32_t length;
} BenchSlot;
typedef struct {
	BenchSlot args[3];
	void *host;
	int result;
	uint8_t out[32];
} xsMachine;

void benchFail(void);
#define xsArg(i) (the->args[i])
#define xsmcToInteger(slot) ((slot).integer)
#define xsmcGetBufferReadable(slot, d, c) (*(d) = (void *)(slot).data, *(c) = (slot).length)
#define xsmcSetHostData(t, d) (the->host = (d))
#define xsmcGetHostData(t) (the->host)
#define xsRangeError(...) benchFail()
#define xsUnknownError(...) benchFail()
#define xsmcSetInteger(r, v) (the->result = (v))
#define xsmcSetArrayBuffer(r, p, n) memcpy(the->out, p, n)
