/*
 * Meter UART for the Linux simulator (mcsim): the same JavaScript face as the ESP32 version
 * (../uart.js), reading a serial device or pseudo-terminal named by the `path` option, e.g. one end
 * of `socat -d -d pty,raw,echo=0,link=/tmp/meter-in pty,raw,echo=0,link=/tmp/meter-sim`.
 *
 * Line settings go to termios (baud, 7/8 data bits, parity, stop bits) so a real USB serial
 * adapter works too; `invert` cannot be done by termios and is ignored here (USB P1 cables
 * invert in hardware). The descriptor is polled from a modTimer on the machine's thread, like the
 * simulator's own TCP sockets (modules/io/socket/lin/tcp.c), so onReadable runs in the right place.
 * Error counters stay at zero: a pseudo-terminal has no parity or framing errors.
 */

#include "xsmc.h"
#include "mc.xs.h"
#include "modTimer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>

#define kPollIntervalMs (10)

typedef struct {
	xsMachine	*the;
	xsSlot		obj;
	xsSlot		onReadable;
	uint8_t		hasOnReadable;
	int			fd;
	modTimer	task;
	uint32_t	parityErrors;
	uint32_t	framingErrors;
	uint32_t	overflows;
} MeterUARTRecord, *MeterUART;

void xs_meteruart_destructor(void *data);
static void meterUARTTask(modTimer timer, void *refcon, int refconSize);
static void meterUARTMark(xsMachine *the, void *it, xsMarkRoot markRoot);

static const xsHostHooks xsMeterUARTHooks = {
	xs_meteruart_destructor,
	meterUARTMark,
	NULL
};

static speed_t toSpeed(int baud)
{
	switch (baud) {
		case 300: return B300;
		case 1200: return B1200;
		case 2400: return B2400;
		case 4800: return B4800;
		case 9600: return B9600;
		case 19200: return B19200;
		case 38400: return B38400;
		case 57600: return B57600;
		case 115200: return B115200;
		case 230400: return B230400;
		default: return 0;
	}
}

static void applyLine(xsMachine *the, MeterUART uart, xsSlot *options)
{
	struct termios tio;
	xsSlot value;

	if (tcgetattr(uart->fd, &tio))
		return;		// not a terminal (e.g. a FIFO): nothing to configure
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;

	if (xsmcHas(*options, xsID("baud"))) {
		xsmcGet(value, *options, xsID("baud"));
		speed_t speed = toSpeed(xsmcToInteger(value));
		if (speed)
			cfsetspeed(&tio, speed);
	}
	if (xsmcHas(*options, xsID("dataBits"))) {
		xsmcGet(value, *options, xsID("dataBits"));
		tio.c_cflag &= ~CSIZE;
		tio.c_cflag |= (7 == xsmcToInteger(value)) ? CS7 : CS8;
	}
	if (xsmcHas(*options, xsID("stopBits"))) {
		xsmcGet(value, *options, xsID("stopBits"));
		if (2 == xsmcToInteger(value))
			tio.c_cflag |= CSTOPB;
		else
			tio.c_cflag &= ~CSTOPB;
	}
	if (xsmcHas(*options, xsID("parity"))) {
		xsmcGet(value, *options, xsID("parity"));
		const char *parity = xsmcToString(value);
		tio.c_cflag &= ~(PARENB | PARODD);
		if (!strcmp(parity, "even"))
			tio.c_cflag |= PARENB;
		else if (!strcmp(parity, "odd"))
			tio.c_cflag |= PARENB | PARODD;
	}
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	tcsetattr(uart->fd, TCSANOW, &tio);
}

void xs_meteruart_constructor(xsMachine *the)
{
	MeterUART uart;
	char path[256];

	xsmcVars(1);
	if (!xsmcHas(xsArg(0), xsID("path")))
		xsUnknownError("simulator needs a path (pseudo-terminal)");
	xsmcGet(xsVar(0), xsArg(0), xsID("path"));
	c_strncpy(path, xsmcToString(xsVar(0)), sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;

	uart = c_calloc(1, sizeof(MeterUARTRecord));
	if (!uart)
		xsUnknownError("no memory");
	uart->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (uart->fd < 0) {
		c_free(uart);
		xsUnknownError("cannot open meter path");
	}
	uart->the = the;
	uart->obj = xsThis;

	xsmcGet(xsVar(0), xsArg(0), xsID("onReadable"));
	uart->hasOnReadable = xsmcIsInstanceOf(xsVar(0), xsFunctionPrototype);
	if (uart->hasOnReadable)
		uart->onReadable = xsVar(0);

	xsmcSetHostData(xsThis, uart);
	xsSetHostHooks(xsThis, (xsHostHooks *)&xsMeterUARTHooks);

	applyLine(the, uart, &xsArg(0));

	uart->task = modTimerAdd(kPollIntervalMs, kPollIntervalMs, meterUARTTask, &uart, sizeof(uart));
	xsRemember(uart->obj);
}

void xs_meteruart_destructor(void *data)
{
	MeterUART uart = data;
	if (!uart)
		return;
	if (uart->task)
		modTimerRemove(uart->task);
	if (uart->fd >= 0)
		close(uart->fd);
	c_free(uart);
}

void xs_meteruart_close(xsMachine *the)
{
	MeterUART uart = xsmcGetHostData(xsThis);
	if (!uart || !xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks))
		return;
	xsForget(uart->obj);
	xs_meteruart_destructor(uart);
	xsmcSetHostData(xsThis, NULL);
	xsmcSetHostDestructor(xsThis, NULL);
}

void xs_meteruart_reconfigure(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	applyLine(the, uart, &xsArg(0));
	tcflush(uart->fd, TCIFLUSH);	// bytes received under the old settings are noise
}

static int availableBytes(MeterUART uart)
{
	int available = 0;
	if (ioctl(uart->fd, FIONREAD, &available))
		return 0;
	return available;
}

void xs_meteruart_get_available(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	xsmcSetInteger(xsResult, availableBytes(uart));
}

void xs_meteruart_read(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	void *buffer;
	xsUnsignedValue byteLength;
	ssize_t count;

	xsmcGetBufferWritable(xsArg(0), &buffer, &byteLength);
	count = byteLength ? read(uart->fd, buffer, byteLength) : 0;
	xsmcSetInteger(xsResult, (count < 0) ? 0 : (xsIntegerValue)count);
}

void xs_meteruart_counters(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetNumber(xsVar(0), uart->parityErrors);
	xsmcSet(xsResult, xsID("parityErrors"), xsVar(0));
	xsmcSetNumber(xsVar(0), uart->framingErrors);
	xsmcSet(xsResult, xsID("framingErrors"), xsVar(0));
	xsmcSetNumber(xsVar(0), uart->overflows);
	xsmcSet(xsResult, xsID("overflows"), xsVar(0));
	xsmcSetNumber(xsVar(0), 0);
	xsmcSet(xsResult, xsID("breaks"), xsVar(0));
}

static void meterUARTTask(modTimer timer, void *refcon, int refconSize)
{
	MeterUART uart = *(MeterUART *)refcon;
	xsMachine *the = uart->the;
	int available;

	if (!uart->hasOnReadable)
		return;
	available = availableBytes(uart);
	if (available <= 0)
		return;
	xsBeginHost(the);
		xsmcSetInteger(xsResult, available);
		xsCallFunction1(uart->onReadable, uart->obj, xsResult);
	xsEndHost(the);
}

static void meterUARTMark(xsMachine *the, void *it, xsMarkRoot markRoot)
{
	MeterUART uart = it;
	if (uart->hasOnReadable)
		(*markRoot)(the, &uart->onReadable);
}
