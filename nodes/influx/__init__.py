"""InfluxDB: write points (influx-out) and query (influx-query), through one `influxdb`
connection that speaks the InfluxDB 2.x API (influxdb-client; also VictoriaMetrics) or the 1.x
API (`/write` and InfluxQL `/query` over httpx, for InfluxDB 1.x servers of any version).

Messages become points the way Node-RED's node-red-contrib-influxdb maps them
(:mod:`flowrt_nodes.influx.influx_points`), and both APIs share that mapping and influxdb-client's
line-protocol serialisation.
"""
