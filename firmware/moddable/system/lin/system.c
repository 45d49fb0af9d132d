/*
 * Native side of "meterbox-system" in the Linux simulator (see ../system.js): /dev/urandom for
 * random bytes; no app partitions, so otaInfo() reports hasSlots false and the TypeScript side
 * simulates the two slots in memory; restart and rollback are only logged.
 */
#include "xsmc.h"
#include "mc.xs.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

void xs_meterbox_fill_random(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	xsmcGetBufferWritable(xsArg(0), &data, &size);
	int fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0)
		xsUnknownError("no /dev/urandom");
	ssize_t got = read(fd, data, size);
	close(fd);
	if (got != (ssize_t)size)
		xsUnknownError("short random read");
}

void xs_meterbox_restart(xsMachine *the)
{
	fprintf(stderr, "meterbox: restart requested (simulator: ignored)\n");
}

void xs_meterbox_ota_info(xsMachine *the)
{
	xsmcVars(2);
	xsmcSetNewObject(xsResult);
	xsmcSetFalse(xsVar(0));
	xsmcSet(xsResult, xsID("rollbackSupported"), xsVar(0));
	xsmcSet(xsResult, xsID("hasSlots"), xsVar(0));
	xsmcSetNewObject(xsVar(1));
	xsmcSetString(xsVar(0), "sim");
	xsmcSet(xsVar(1), xsID("label"), xsVar(0));
	xsmcSetFalse(xsVar(0));
	xsmcSet(xsVar(1), xsID("pendingVerify"), xsVar(0));
	xsmcSet(xsResult, xsID("running"), xsVar(1));
	xsmcSetNewObject(xsVar(1));
	xsmcSetString(xsVar(0), "");
	xsmcSet(xsVar(1), xsID("label"), xsVar(0));
	xsmcSetInteger(xsVar(0), 0);
	xsmcSet(xsVar(1), xsID("sizeBytes"), xsVar(0));
	xsmcSet(xsResult, xsID("next"), xsVar(1));
	xsmcSetNewArray(xsVar(1), 0);
	xsmcSet(xsResult, xsID("slots"), xsVar(1));
}

void xs_meterbox_ota_mark_valid(xsMachine *the)
{
}

void xs_meterbox_ota_rollback(xsMachine *the)
{
	fprintf(stderr, "meterbox: rollback requested (simulator: ignored)\n");
}
