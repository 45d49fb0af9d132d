/*
 * Meter UART: ECMA-419 shaped receive-only serial port for the meter line.
 *
 *   new MeterUART({ receive, transmit?, port?, baud, dataBits, parity, stopBits, invert,
 *                   rxBufferSize?, path? (simulator: pseudo-terminal), onReadable(count) })
 *   read(buffer) -> number of bytes copied into buffer (ArrayBuffer or Uint8Array)
 *   available    -> bytes waiting in the receive buffer
 *   reconfigure({ baud?, dataBits?, parity?, stopBits?, invert? })   (line auto-detection)
 *   counters()   -> { parityErrors, framingErrors, overflows, breaks }
 *   close()
 *
 * Settings are checked here, before the native constructor installs the driver, so a bad option
 * never leaves a half-installed driver behind. Natives: esp32/uart.c (ESP-IDF driver),
 * lin/uart.c (pseudo-terminal for the simulator).
 */

function check(options, initial) {
	const baud = options.baud;
	if (undefined !== baud || initial) {
		if (!Number.isInteger(baud) || baud < 300 || baud > 5000000) throw new RangeError('invalid baud');
	}
	const dataBits = options.dataBits;
	if (undefined !== dataBits && 7 !== dataBits && 8 !== dataBits) throw new RangeError('invalid dataBits');
	const stopBits = options.stopBits;
	if (undefined !== stopBits && 1 !== stopBits && 2 !== stopBits) throw new RangeError('invalid stopBits');
	const parity = options.parity;
	if (undefined !== parity && 'none' !== parity && 'even' !== parity && 'odd' !== parity) throw new RangeError('invalid parity');
}

class MeterUART extends Native('xs_meteruart_destructor') {
	constructor(options) {
		check(options, true);
		super();
		native('xs_meteruart_constructor').call(this, options);
	}
	close() {
		return native('xs_meteruart_close').call(this);
	}
	read(buffer) {
		return native('xs_meteruart_read').call(this, buffer);
	}
	get available() {
		return native('xs_meteruart_get_available').call(this);
	}
	reconfigure(options) {
		check(options, false);
		return native('xs_meteruart_reconfigure').call(this, options);
	}
	counters() {
		return native('xs_meteruart_counters').call(this);
	}
}

export default MeterUART;
