-- The table flows/sensors.yaml writes to: the readings of every sensor, one row per reading.
CREATE TABLE IF NOT EXISTS sensor_readings (
    sensor   text             NOT NULL,
    at       timestamptz      NOT NULL,
    celsius  double precision NOT NULL,
    humidity double precision,
    PRIMARY KEY (sensor, at)
);
