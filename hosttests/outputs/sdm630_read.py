#!/usr/bin/python3
"""Reads the box's SDM630 emulation with a real third-party Modbus client (Debian python3-pymodbus)
the way the chargers and evcc read an Eastron SDM630, and prints what it got as one JSON object.

  sdm630_read.py HOST PORT UNIT

- "evcc": each value on its own, function 04, two registers, IEEE-754 big-endian: what mbmd does
  for evcc's Eastron template (volkszaehler/mbmd meters/rs485/sdm.go: snip() ReadLen 2, ReadInputReg,
  RTUIeee754ToFloat64; evcc-io/evcc templates/definition/meter/eastron-sdm72v2_630.yaml reads
  Power, Import, Export, CurrentL1-3, PowerL1-3, VoltageL1-3).
- "smartevse": the block reads of SmartEVSE-3 (src/modbus.cpp requestCurrentMeasurement: 12
  registers from 0x06 for the currents and the powers that sign them; src/meter.cpp "Eastron3P":
  voltage 0x00, power 0x34, energy 0x48 / 0x4A).
- "errors": the exception codes for an address outside the map, function 03, and another unit id.
"""
import json
import math
import struct
import sys

from pymodbus.client import ModbusTcpClient

host, port, unit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
client = ModbusTcpClient(host, port=port, timeout=3, retries=0)
if not client.connect():
    print(json.dumps({"error": "cannot connect"}))
    sys.exit(1)


def floats(registers):
    out = []
    for i in range(0, len(registers), 2):
        value = struct.unpack(">f", struct.pack(">HH", registers[i], registers[i + 1]))[0]
        out.append(None if math.isnan(value) else value)
    return out


def read(address, count):
    r = client.read_input_registers(address, count, slave=unit)
    if r.isError():
        raise RuntimeError("exception %s at 0x%04X" % (getattr(r, "exception_code", "?"), address))
    return r.registers


EVCC = {
    "VoltageL1": 0x0000, "VoltageL2": 0x0002, "VoltageL3": 0x0004,
    "CurrentL1": 0x0006, "CurrentL2": 0x0008, "CurrentL3": 0x000A,
    "PowerL1": 0x000C, "PowerL2": 0x000E, "PowerL3": 0x0010,
    "Power": 0x0034, "Import": 0x0048, "Export": 0x004A, "Sum": 0x0156,
    "Frequency": 0x0046, "Cosphi": 0x003E,
}
result = {"evcc": {}, "smartevse": {}, "errors": {}}
for name, address in EVCC.items():
    result["evcc"][name] = floats(read(address, 2))[0]

block = floats(read(0x06, 12))
result["smartevse"]["currentsA"] = block[0:3]
result["smartevse"]["powersW"] = block[3:6]
result["smartevse"]["voltageL1"] = floats(read(0x00, 2))[0]
result["smartevse"]["powerW"] = floats(read(0x34, 2))[0]
result["smartevse"]["importKwh"] = floats(read(0x48, 2))[0]
result["smartevse"]["exportKwh"] = floats(read(0x4A, 2))[0]

r = client.read_input_registers(0x0200, 2, slave=unit)
result["errors"]["outsideMap"] = getattr(r, "exception_code", None)
r = client.read_holding_registers(0x0000, 2, slave=unit)
result["errors"]["function03"] = getattr(r, "exception_code", None)
r = client.read_input_registers(0x0000, 2, slave=(unit % 247) + 1)
result["errors"]["otherUnit"] = getattr(r, "exception_code", None)
client.close()
print(json.dumps(result))
