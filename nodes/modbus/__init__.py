"""Modbus TCP: the `modbus-client` connection, reading (`modbus-read` polling, `modbus-getter`
and `modbus-flex-getter` on input), writing (`modbus-write`, `modbus-flex-write`), a small
server (`modbus-server`) and `modbus-response` (status only), with node-red-contrib-modbus's
message shapes. The protocol is pymodbus's, client and server.
"""
