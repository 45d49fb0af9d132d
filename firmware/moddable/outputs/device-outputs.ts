/**
 * The outputs the device hands to createApp: the SDM630 Modbus TCP meter emulation (ECMA-419
 * listener) and the charger pushes (the SDK's HTTP client). Both start switched off and follow the
 * settings (outputs.modbusTcp, outputs.chargers); mc/config `outputs.modbusMaxConnections` and
 * `outputs.modbusIdleTimeoutMs` bound the Modbus connections (the ESP32 has few sockets).
 */
import config from 'mc/config';
import type { SnapshotOutput } from '../../app/outputs/output-port';
import { ModbusTcpOutput } from '../../app/outputs/modbus-tcp-output';
import { ChargersOutput } from '../../app/outputs/chargers-output';
import { DeviceModbusListener } from './modbus-tcp-listener';
import { ModdableHttpPushClient } from './http-push-client';

interface OutputsConfig {
  modbusMaxConnections?: number;
  modbusIdleTimeoutMs?: number;
}

export function createDeviceOutputs(): SnapshotOutput[] {
  const c = ((config as Record<string, unknown>).outputs ?? {}) as OutputsConfig;
  const listener = new DeviceModbusListener({
    maxConnections: Math.max(1, Number(c.modbusMaxConnections ?? 2)),
    idleTimeoutMs: Number(c.modbusIdleTimeoutMs ?? 120000),
  });
  return [new ModbusTcpOutput(listener), new ChargersOutput(new ModdableHttpPushClient(), () => Date.now())];
}
