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
 * Errors: every option is read and checked before the driver is installed, and every esp_err_t
 * of the driver calls is checked; a failure after uart_driver_install deletes the driver again
 * before throwing (the port stays free for the next attempt), and the message names the call and
 * its esp_err_t code (e.g. "uart_set_parity failed (0x102)"), so the line auto-detection sees a
 * refused setting instead of reading on at the old one.
 * Pins: only `receive` is routed. `transmit` is optional and routed only when given (the meter
 * line is receive-only; the default board wiring keeps the UART's TX GPIO free).
 *
 * JavaScript face: ../uart.js; TypeScript declaration: ../uart.d.ts.
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
#include "driver/gpio.h"
#include "esp_err.h"

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
typedef struct {
	int					baud;		// 0: keep
	uart_word_length_t	dataBits;
	uint8_t				hasDataBits;
	uart_stop_bits_t	stopBits;
	uint8_t				hasStopBits;
	uart_parity_t		parity;
	uint8_t				hasParity;
	uint32_t			inverse;
	uint8_t				hasInverse;
} MeterUARTLine;

static void meterUARTReadLine(xsMachine *the, xsSlot *options, uint8_t initial, MeterUARTLine *line);
static esp_err_t meterUARTApplyLine(uart_port_t port, const MeterUARTLine *line, const char **failed);

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
	MeterUARTLine line;
	int port = getIntegerOption(the, &xsArg(0), "port", 1);
	int receive = getIntegerOption(the, &xsArg(0), "receive", -1);
	int transmit = getIntegerOption(the, &xsArg(0), "transmit", UART_PIN_NO_CHANGE);
	int rxBufferSize = getIntegerOption(the, &xsArg(0), "rxBufferSize", kDefaultRxBufferSize);
	const char *failed = NULL;
	esp_err_t err;

	xsmcVars(1);

	// everything that can throw on bad options happens before the driver is installed
	if ((port < 0) || (port >= UART_NUM_MAX))
		xsRangeError("invalid port");
	if ((receive < 0) || !GPIO_IS_VALID_GPIO(receive))
		xsRangeError("receive pin required");
	if ((UART_PIN_NO_CHANGE != transmit) && !GPIO_IS_VALID_OUTPUT_GPIO(transmit))
		xsRangeError("invalid transmit pin");
	if ((rxBufferSize < 256) || (rxBufferSize > 65536))
		xsRangeError("invalid rxBufferSize");
	meterUARTReadLine(the, &xsArg(0), 1, &line);
	if (uart_is_driver_installed(port))
		xsUnknownError("port in use");

	xsmcGet(xsVar(0), xsArg(0), xsID("onReadable"));

	uart = c_calloc(1, sizeof(MeterUARTRecord));
	if (!uart)
		xsUnknownError("no memory");
	uart->the = the;
	uart->obj = xsThis;
	uart->port = (uint8_t)port;
	uart->useCount = 1;
	uart->hasOnReadable = xsmcIsInstanceOf(xsVar(0), xsFunctionPrototype);
	if (uart->hasOnReadable)
		uart->onReadable = xsVar(0);

	// RX ring buffer in RAM; no TX buffer (the P1/HAN line is receive only).
	err = uart_driver_install(port, rxBufferSize, 0, kEventQueueLength, &uart->events, 0);
	if (ESP_OK != err) {
		c_free(uart);
		xsUnknownError("uart_driver_install failed (0x%x)", (unsigned)err);
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
	err = uart_param_config(port, &config);
	if (ESP_OK != err)
		failed = "uart_param_config";
	else
		err = meterUARTApplyLine(port, &line, &failed);
	if (ESP_OK == err) {
		err = uart_set_pin(port, transmit, receive, UART_PIN_NO_CHANGE, UART_PIN_NO_CHANGE);
		if (ESP_OK != err)
			failed = "uart_set_pin";
	}
	if (ESP_OK == err) {
		uart->taskDone = xSemaphoreCreateBinary();
		if (!uart->taskDone || (pdPASS != xTaskCreate(meterUARTTask, "meteruart", kTaskStackBytes, uart, kTaskPriority, &uart->task))) {
			uart->task = NULL;
			if (uart->taskDone)
				vSemaphoreDelete(uart->taskDone);
			failed = "task create";
			err = ESP_ERR_NO_MEM;
		}
	}
	if (ESP_OK != err) {
		uart_driver_delete(port);		// the port is free again for the next attempt
		c_free(uart);
		xsUnknownError("%s failed (0x%x)", failed, (unsigned)err);
	}

	xsmcSetHostData(xsThis, uart);
	xsSetHostHooks(xsThis, (xsHostHooks *)&xsMeterUARTHooks);
	xsRemember(uart->obj);
}

/*
	Line settings from an options object, checked (throws RangeError) without touching the driver.
	Missing fields keep the current setting, except at construction where the defaults are
	115200 8N1, not inverted.
*/
static void meterUARTReadLine(xsMachine *the, xsSlot *options, uint8_t initial, MeterUARTLine *line)
{
	xsSlot value;
	c_memset(line, 0, sizeof(*line));

	line->baud = getIntegerOption(the, options, "baud", initial ? 115200 : 0);
	if (line->baud && ((line->baud < 300) || (line->baud > 5000000)))
		xsRangeError("invalid baud");

	int dataBits = getIntegerOption(the, options, "dataBits", initial ? 8 : 0);
	if (dataBits) {
		if (7 == dataBits)
			line->dataBits = UART_DATA_7_BITS;
		else if (8 == dataBits)
			line->dataBits = UART_DATA_8_BITS;
		else
			xsRangeError("invalid dataBits");
		line->hasDataBits = 1;
	}

	int stopBits = getIntegerOption(the, options, "stopBits", initial ? 1 : 0);
	if (stopBits) {
		if (1 == stopBits)
			line->stopBits = UART_STOP_BITS_1;
		else if (2 == stopBits)
			line->stopBits = UART_STOP_BITS_2;
		else
			xsRangeError("invalid stopBits");
		line->hasStopBits = 1;
	}

	if (xsmcHas(*options, xsID("parity"))) {
		xsmcGet(value, *options, xsID("parity"));
		const char *parity = xsmcToString(value);
		if (0 == c_strcmp(parity, "none"))
			line->parity = UART_PARITY_DISABLE;
		else if (0 == c_strcmp(parity, "even"))
			line->parity = UART_PARITY_EVEN;
		else if (0 == c_strcmp(parity, "odd"))
			line->parity = UART_PARITY_ODD;
		else
			xsRangeError("invalid parity");
		line->hasParity = 1;
	}
	else if (initial) {
		line->parity = UART_PARITY_DISABLE;
		line->hasParity = 1;
	}

	if (xsmcHas(*options, xsID("invert"))) {
		xsmcGet(value, *options, xsID("invert"));
		// P1 ports drive an open-collector, inverted data line: invert RX in the UART itself.
		line->inverse = xsmcTest(value) ? UART_SIGNAL_RXD_INV : UART_SIGNAL_INV_DISABLE;
		line->hasInverse = 1;
	}
	else if (initial) {
		line->inverse = UART_SIGNAL_INV_DISABLE;
		line->hasInverse = 1;
	}
}

/* Applies a checked line; on the first refused call returns its error and names it in *failed. */
static esp_err_t meterUARTApplyLine(uart_port_t port, const MeterUARTLine *line, const char **failed)
{
	esp_err_t err = ESP_OK;
	if (line->baud && (ESP_OK != (err = uart_set_baudrate(port, line->baud))))
		*failed = "uart_set_baudrate";
	else if (line->hasDataBits && (ESP_OK != (err = uart_set_word_length(port, line->dataBits))))
		*failed = "uart_set_word_length";
	else if (line->hasStopBits && (ESP_OK != (err = uart_set_stop_bits(port, line->stopBits))))
		*failed = "uart_set_stop_bits";
	else if (line->hasParity && (ESP_OK != (err = uart_set_parity(port, line->parity))))
		*failed = "uart_set_parity";
	else if (line->hasInverse && (ESP_OK != (err = uart_set_line_inverse(port, line->inverse))))
		*failed = "uart_set_line_inverse";
	return err;
}

void xs_meteruart_reconfigure(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	MeterUARTLine line;
	const char *failed = NULL;
	esp_err_t err;

	meterUARTReadLine(the, &xsArg(0), 0, &line);
	err = meterUARTApplyLine(uart->port, &line, &failed);
	if (ESP_OK != err)		// the line may be half changed: the caller retries or picks another
		xsUnknownError("%s failed (0x%x)", failed, (unsigned)err);
	err = uart_flush_input(uart->port);		// bytes received under the old settings are noise
	if (ESP_OK != err)
		xsUnknownError("uart_flush_input failed (0x%x)", (unsigned)err);
}

void xs_meteruart_read(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	size_t available = 0;
	void *buffer;
	xsUnsignedValue byteLength;
	int count;

	esp_err_t err = uart_get_buffered_data_len(uart->port, &available);
	if (ESP_OK != err)
		xsUnknownError("uart_get_buffered_data_len failed (0x%x)", (unsigned)err);
	xsmcGetBufferWritable(xsArg(0), &buffer, &byteLength);
	if (byteLength > available)
		byteLength = available;
	count = byteLength ? uart_read_bytes(uart->port, buffer, byteLength, 0) : 0;
	if (count < 0)
		xsUnknownError("uart_read_bytes failed");
	xsmcSetInteger(xsResult, count);
}

void xs_meteruart_get_available(xsMachine *the)
{
	MeterUART uart = xsmcGetHostDataValidate(xsThis, (void *)&xsMeterUARTHooks);
	size_t available = 0;
	esp_err_t err = uart_get_buffered_data_len(uart->port, &available);
	if (ESP_OK != err)
		xsUnknownError("uart_get_buffered_data_len failed (0x%x)", (unsigned)err);
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
		uart_driver_delete(uart->port);		// ESP_OK or "not installed": nothing else to undo
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

	if ((ESP_OK == uart_get_buffered_data_len(uart->port, &available)) && available) {	// an error: nothing to deliver
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
