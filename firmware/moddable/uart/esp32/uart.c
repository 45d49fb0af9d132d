/*
 * Meter UART for the ESP32 (ESP-IDF UART driver), ECMA-419 shaped.
 *
 * Why not the SDK's embedded:io/serial: it reads the 128-byte hardware FIFO directly from an
 * interrupt. While the flash is being written (settings save, OTA) the CPU cache is disabled and
 * the ISR cannot run; at 115200 baud the FIFO overflows in ~11 ms and a DSMR telegram is lost.
 * The ESP-IDF driver keeps an IRAM ISR that drains the FIFO into a RAM ring buffer (rxBufferSize,
 * default 4096 bytes), and reports parity, framing and overflow errors through its event queue,
 * which this module counts. Line settings (baud, 7/8 data bits, parity, stop bits, RX inversion)
 * can be changed at run time so the application can auto-detect the meter's line.
 *
 * Threads: a small FreeRTOS task waits on the driver's event queue, counts errors and posts one
 * "readable" message at a time to the XS machine (modMessagePostToMachine). The JavaScript
 * onReadable(count) callback runs on the machine's thread and calls read(buffer).
 * Lifetime: the record is reference counted (JS object + each posted message); close() stops the
 * task (it polls a closing flag) before deleting the driver.
 *
 * JavaScript face: ../uart.js; TypeScript declaration: ../../types/meter-uart.d.ts.
 */

#include "xsPlatform.h"
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "driver/uart.h"

#define kDefaultRxBufferSize (4096)
#define kEventQueueLength (20)
#define kTaskStackBytes (3072)
#define kTaskPriority (10)
#define kPollMs (100)

typedef struct MeterUARTRecord MeterUARTRecord;
typedef MeterUARTRecord *MeterUART;

struct MeterUARTRecord {
	xsMachine			*the;
	xsSlot				obj;
	xsSlot				onReadable;
	uint8_t				hasOnReadable;
	uint8_t				port;
	volatile uint8_t	closing;
	volatile uint8_t	pending;
	int32_t				useCount;
	QueueHandle_t		events;
	TaskHandle_t		task;
	SemaphoreHandle_t	taskDone;
	volatile uint32_t	parityErrors;
	volatile uint32_t	framingErrors;
	volatile uint32_t	overflows;
	volatile uint32_t	breaks;
};

void xs_meteruart_destructor(void *data);
static void meterUARTTask(void *arg);
static void meterUARTDeliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
static void meterUARTMark(xsMachine *the, void *it, xsMarkRoot markRoot);
static void meterUARTRelease(MeterUART uart);
static void meterUARTApplyLine(xsMachine *the, MeterUART uart, xsSlot *options, uint8_t initial);

static const xsHostHooks ICACHE_RODATA_ATTR xsMeterUARTHooks = {
	xs_meteruart_destructor,
	meterUARTMark,
	NULL
};

static int getIntegerOption(xsMachine *the, xsSlot *options, const char *name, int fallback)
{
	xsSlot value;
	xsIdentifier id = xsID((char *)name);
	if (!xsmcHas(*options, id))
		return fallback;
	xsmcGet(value, *options, id);
	if (xsUndefinedType == xsmcTypeOf(value))
		return fallback;
	return xsmcToInteger(value);
}

void xs_meteruart_constructor(xsMachine *the)
{
	MeterUART uart;
	int port = getIntegerOption(the, &xsArg(0), "port", 1);
	int receive = getIntegerOption(the, &xsArg(0), "receive", -1);
	int transmit = getIntegerOption(the, &xsArg(0), "transmit", UART_PIN_NO_CHANGE);
	int rxBufferSize = getIntegerOption(the, &xsArg(0), "rxBufferSize", kDefaultRxBufferSize);
	esp_err_t err;

	xsmcVars(1);

	if ((port < 0) || (port >= UART_NUM_MAX))
		xsRangeError("invalid port");
	if (receive < 0)
		xsRangeError("receive pin required");
	if ((rxBufferSize < 256) || (rxBufferSize > 65536))
		xsRangeError("invalid rxBufferSize");
	if (uart_is_driver_installed(port))
		xsUnknownError("port in use");

	uart = c_calloc(1, sizeof(MeterUARTRecord));
	if (!uart)
		xsUnknownError("no memory");
	uart->the = the;
	uart->obj = xsThis;
	uart->port = (uint8_t)port;
	uart->useCount = 1;

	xsmcGet(xsVar(0), xsArg(0), xsID("onReadable"));
	uart->hasOnReadable = xsmcIsInstanceOf(xsVar(0), xsFunctionPrototype);
	if (uart->hasOnReadable)
		uart->onReadable = xsVar(0);

	xsmcSetHostData(xsThis, uart);
	xsSetHostHooks(xsThis, (xsHostHooks *)&xsMeterUARTHooks);

	// RX ring buffer in RAM; no TX buffer (the P1/HAN line is receive only; TX is optional).
	err = uart_driver_install(port, rxBufferSize, 0, kEventQueueLength, &uart->events, 0);
	if (ESP_OK != err) {
		xsmcSetHostData(xsThis, NULL);
		c_free(uart);
		xsUnknownError("uart_driver_install failed");
	}
	// full configuration first (selects the default source clock), then the requested line
	uart_config_t config = {
		.baud_rate = 115200,
		.data_bits = UART_DATA_8_BITS,
		.parity = UART_PARITY_DISABLE,
		.stop_bits = UART_STOP_BITS_1,
		.flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
		.source_clk = UART_SCLK_DEFAULT,
	};
	uart_param_config(port, &config);
	meterUARTApplyLine(the, uart, &xsArg(0), 1);

	err = uart_set_pin(port, transmit, receive, UART_PIN_NO_CHANGE, UART_PIN_NO_CHANGE);
	if (ESP_OK != err) {
		uart_driver_delete(port);
		xsmcSetHostData(xsThis, NULL);
		c_free(uart);
		xsUnknownError("uart_set_pin failed");
	}

	uart->taskDone = xSemaphoreCreateBinary();
	if (!uart->taskDone || (pdPASS != xTaskCreate(meterUARTTask, "meteruart", kTaskStackBytes, uart, kTaskPriority, &uart->task))) {
		if (uart->taskDone)
			vSemaphoreDelete(uart->taskDone);
		uart_driver_delete(port);
		xsmcSetHostData(xsThis, NULL);
		c_free(uart);
		xsUnknownError("task create failed");
	}

	xsRemember(uart->obj);
}

/*
	Line settings from an options object. Missing fields keep the current setting, except at
	construction where the defaults are 115200 8N1, not inverted.
*/
static void meterUARTApplyLine(xsMachine *the, MeterUART uart, xsSlot *options, uint8_t initial)
{
	xsSlot value;
	uart_port_t port = uart->port;

	int baud = getIntegerOption(the, options, "baud", initial ? 115200 : 0);
	if (baud) {
		if ((baud < 300) || (baud > 5000000))
			xsRangeError("invalid baud");
		uart_set_baudrate(port, baud);
	}

	int dataBits = getIntegerOption(the, options, "dataBits", initial ? 8 : 0);
	if (dataBits) {
		if (7 == dataBits)
			uart_set_word_length(port, UART_DATA_7_BITS);
		else if (8 == dataBits)
			uart_set_word_length(port, UART_DATA_8_BITS);
		else
			xsRangeError("invalid dataBits");
	}

	int stopBits = getIntegerOption(the, options, "stopBits", initial ? 1 : 0);
	if (stopBits) {
		if (1 == stopBits)
			uart_set_stop_bits(port, UART_STOP_BITS_1);
		else if (2 == stopBits)
			uart_set_stop_bits(port, UART_STOP_BITS_2);
		else
			xsRangeError("invalid stopBits");
	}

	if (xsmcHas(*options, xsID("parity"))) {
		xsmcGet(value, *options, xsID("parity"));
		const char *parity = xsmcToString(value);
		if (0 == c_strcmp(parity, "none"))
			uart_set_parity(port, UART_PARITY_DISABLE);
		else if (0 == c_strcmp(parity, "even"))
			uart_set_parity(port, UART_PARITY_EVEN);
		else if (0 == c_strcmp(parity, "odd"))
			uart_set_parity(port, UART_PARITY_ODD);
		else
			xsRangeError("invalid parity");
	}
	else if (initial)
		uart_set_parity(port, UART_PARITY_DISABLE);

	if (xsmcHas(*options, xsID("invert"))) {
		xsmcGet(value, *options, xsID("invert"));
		// P1 ports drive an open-collector, inverted data line: invert RX in the UART itself.
		uart_set_line_inverse(port, xsmcTest(value) ? UART_SIGNAL_RXD_INV : UART_SIGNAL_INV_DISABLE);
	}
	else if (initial)
		uart_set_line_inverse(port, UART_SIGNAL_INV_DISABLE);

	if (!initial)
		uart_flush_input(port);		// bytes received under the old settings are noise
}

void xs_meteruart_reconfigure(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	meterUARTApplyLine(the, uart, &xsArg(0), 0);
}

void xs_meteruart_read(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	size_t available = 0;
	void *buffer;
	xsUnsignedValue byteLength;
	int count;

	uart_get_buffered_data_len(uart->port, &available);
	xsmcGetBufferWritable(xsArg(0), &buffer, &byteLength);
	if (byteLength > available)
		byteLength = available;
	count = byteLength ? uart_read_bytes(uart->port, buffer, byteLength, 0) : 0;
	xsmcSetInteger(xsResult, (count < 0) ? 0 : count);
}

void xs_meteruart_get_available(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	size_t available = 0;
	uart_get_buffered_data_len(uart->port, &available);
	xsmcSetInteger(xsResult, (xsIntegerValue)available);
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
	xsmcSetNumber(xsVar(0), uart->breaks);
	xsmcSet(xsResult, xsID("breaks"), xsVar(0));
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

void xs_meteruart_destructor(void *data)
{
	MeterUART uart = data;
	if (!uart)
		return;

	if (uart->task) {
		uart->closing = 1;
		xSemaphoreTake(uart->taskDone, portMAX_DELAY);	// task exits within kPollMs
		uart->task = NULL;
		vSemaphoreDelete(uart->taskDone);
		uart->taskDone = NULL;
		uart_driver_delete(uart->port);
	}
	uart->hasOnReadable = 0;
	meterUARTRelease(uart);
}

static void meterUARTRelease(MeterUART uart)
{
	if (0 == __atomic_sub_fetch(&uart->useCount, 1, __ATOMIC_SEQ_CST))
		c_free(uart);
}

static void meterUARTTask(void *arg)
{
	MeterUART uart = arg;
	uart_event_t event;

	while (!uart->closing) {
		if (pdTRUE != xQueueReceive(uart->events, &event, pdMS_TO_TICKS(kPollMs)))
			continue;

		switch (event.type) {
			case UART_DATA:
				break;
			case UART_FIFO_OVF:		// hardware FIFO overran (driver already reset it)
			case UART_BUFFER_FULL:	// ring buffer full: JavaScript is not reading fast enough
				uart->overflows++;
				break;
			case UART_PARITY_ERR:
				uart->parityErrors++;
				break;
			case UART_FRAME_ERR:
				uart->framingErrors++;
				break;
			case UART_BREAK:
				uart->breaks++;
				break;
			default:
				break;
		}

		// one message in flight at a time: onReadable reads everything that is buffered
		if (uart->hasOnReadable && !uart->pending) {
			uart->pending = 1;
			__atomic_add_fetch(&uart->useCount, 1, __ATOMIC_SEQ_CST);
			if (modMessagePostToMachine(uart->the, NULL, 0, meterUARTDeliver, uart)) {
				uart->pending = 0;
				meterUARTRelease(uart);
			}
		}
	}

	xSemaphoreGive(uart->taskDone);
	vTaskDelete(NULL);
}

static void meterUARTDeliver(void *theIn, void *refcon, uint8_t *message, uint16_t messageLength)
{
	xsMachine *the = theIn;
	MeterUART uart = refcon;
	size_t available = 0;

	uart->pending = 0;
	if (!uart->hasOnReadable || uart->closing) {
		meterUARTRelease(uart);
		return;
	}

	uart_get_buffered_data_len(uart->port, &available);
	if (available) {
		xsBeginHost(the);
			xsmcSetInteger(xsResult, (xsIntegerValue)available);
			xsCallFunction1(uart->onReadable, uart->obj, xsResult);
		xsEndHost(the);
	}
	meterUARTRelease(uart);
}

static void meterUARTMark(xsMachine *the, void *it, xsMarkRoot markRoot)
{
	MeterUART uart = it;
	if (uart->hasOnReadable)
		(*markRoot)(the, &uart->onReadable);
}
