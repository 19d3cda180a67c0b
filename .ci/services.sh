#!/usr/bin/env bash
# The servers flowrt's tests talk to, on 127.0.0.1 (Debian 12, as root, with or without systemd).
#
#   .ci/services.sh ensure   reuse every server that answers; install (apt) and start the others
#   .ci/services.sh stop     stop the servers that `ensure` started (never one it found running)
#   .ci/services.sh servers  list the servers `ensure` starts: key and name, one a line
#
# Addresses come from the variables the tests read; the defaults are:
#   FLOWRT_TEST_POSTGRES   postgresql://postgres@127.0.0.1:5432/test   trust auth; database created
#   FLOWRT_TEST_AMQP       amqp://guest:guest@127.0.0.1:5672/          RabbitMQ
#   FLOWRT_TEST_MQTT       mqtt://127.0.0.1:1883                       Mosquitto
#   FLOWRT_TEST_INFLUX_V1  http://127.0.0.1:8086                       InfluxDB 1.x (Debian's influxdb)
#   FLOWRT_TEST_VM         http://127.0.0.1:8428                       VictoriaMetrics
#   FLOWRT_TEST_MYSQL      mysql://root@127.0.0.1:3306/test            MariaDB; root with no password
#   FLOWRT_TEST_HOMEASSISTANT http://127.0.0.1:8123                    Home Assistant (pip, own venv);
#                          its access token in FLOWRT_SVC_DIR/homeassistant/token
# Servers that `ensure` starts keep their configuration, data, logs and pid files in
# FLOWRT_SVC_DIR (default /tmp/flowrt-services). A server on another host is only probed.
# FLOWRT_SVC_ONLY=mqtt,pg (keys: amqp mqtt influx vm pg mysql ha) limits both commands to those servers:
# the tests start private instances that way, on free ports, to stop and restart them.
#
# Which servers `ensure` starts comes from the packs' manifests (test-servers in
# nodes/*/pack.toml, by the names in NAME below) and OWN; `.ci/services.sh servers` lists them.
#
# RabbitMQ needs 15-20 s to boot, so it is started first and the others come up meanwhile.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SVC=${FLOWRT_SVC_DIR:-/tmp/flowrt-services}
export DEBIAN_FRONTEND=noninteractive

PG_URL=${FLOWRT_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/test}
AMQP_URL=${FLOWRT_TEST_AMQP:-amqp://guest:guest@127.0.0.1:5672/}
MQTT_URL=${FLOWRT_TEST_MQTT:-mqtt://127.0.0.1:1883}
INFLUX_URL=${FLOWRT_TEST_INFLUX_V1:-http://127.0.0.1:8086}
VM_URL=${FLOWRT_TEST_VM:-http://127.0.0.1:8428}
MY_URL=${FLOWRT_TEST_MYSQL:-mysql://root@127.0.0.1:3306/test}
HA_URL=${FLOWRT_TEST_HOMEASSISTANT:-http://127.0.0.1:8123}

log() { printf '%-16s %s\n' "$1" "$2"; }
die() { echo "services.sh: $*" >&2; exit 1; }

# url_part URL user|host|port|path DEFAULT_PORT
url_part() {
  local re='^[a-z0-9+]+://(([^:@/]*)(:[^@/]*)?@)?([^:/]+)(:([0-9]+))?(/([^?]*))?'
  [[ $1 =~ $re ]] || die "cannot read the address '$1'"
  case $2 in
    user) echo "${BASH_REMATCH[2]}" ;;
    host) echo "${BASH_REMATCH[4]}" ;;
    port) echo "${BASH_REMATCH[6]:-$3}" ;;
    path) echo "${BASH_REMATCH[8]}" ;;
  esac
}

is_local() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ]; }

# shellcheck disable=SC2016
tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# probe KIND HOST PORT: does a server of this kind answer there (protocol level, not just TCP)?
probe() {
  tcp_open "$2" "$3" || return 1
  command -v python3 >/dev/null || return 0
  python3 - "$@" <<'PY' 2>/dev/null
import socket, sys, urllib.error, urllib.request
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
def exchange(data: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=3) as s:
        s.sendall(data)
        return s.recv(64)
if kind == "mqtt":  # CONNECT (MQTT 3.1.1, clean session) -> CONNACK, return code 0 (accepted)
    client = b"flowrt-ci-probe"
    body = b"\x00\x04MQTT\x04\x02\x00\x0a" + len(client).to_bytes(2, "big") + client
    reply = exchange(bytes([0x10, len(body)]) + body)
    ok = reply[:2] == b"\x20\x02" and reply[3:4] == b"\x00"
elif kind == "amqp":  # protocol header -> a method frame (connection.start)
    ok = exchange(b"AMQP\x00\x00\x09\x01")[:1] == b"\x01"
elif kind == "influx":
    with urllib.request.urlopen(f"http://{host}:{port}/ping", timeout=3) as r:
        ok = r.status == 204 and r.headers.get("X-Influxdb-Version") is not None
elif kind == "mysql":  # the server's greeting: protocol version 10
    ok = exchange(b"")[4:5] == b"\x0a"
elif kind == "vm":
    with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=3) as r:
        ok = r.status == 200
elif kind == "ha":  # Home Assistant's API refuses a request with no token
    try:
        urllib.request.urlopen(f"http://{host}:{port}/api/", timeout=3)
        ok = False
    except urllib.error.HTTPError as e:
        ok = e.code == 401
else:
    ok = False
sys.exit(0 if ok else 1)
PY
}

# wait_for SECONDS COMMAND...: run COMMAND until it succeeds or the time is up.
wait_for() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.3
  done
}

started() { mkdir -p "$SVC/started"; echo "$2" > "$SVC/started/$1"; }

# ---------------------------------------------------------------------------------------------
# What is missing, and one apt-get run for all of it

PG_HOST=$(url_part "$PG_URL" host); PG_PORT=$(url_part "$PG_URL" port 5432)
PG_USER=$(url_part "$PG_URL" user); PG_USER=${PG_USER:-postgres}
PG_DB=$(url_part "$PG_URL" path); PG_DB=${PG_DB:-test}
AMQP_HOST=$(url_part "$AMQP_URL" host); AMQP_PORT=$(url_part "$AMQP_URL" port 5672)
MQTT_HOST=$(url_part "$MQTT_URL" host); MQTT_PORT=$(url_part "$MQTT_URL" port 1883)
INFLUX_HOST=$(url_part "$INFLUX_URL" host); INFLUX_PORT=$(url_part "$INFLUX_URL" port 8086)
VM_HOST=$(url_part "$VM_URL" host); VM_PORT=$(url_part "$VM_URL" port 8428)
MY_HOST=$(url_part "$MY_URL" host); MY_PORT=$(url_part "$MY_URL" port 3306)
MY_USER=$(url_part "$MY_URL" user); MY_USER=${MY_USER:-root}
MY_DB=$(url_part "$MY_URL" path); MY_DB=${MY_DB:-test}
HA_HOST=$(url_part "$HA_URL" host); HA_PORT=$(url_part "$HA_URL" port 8123)

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && echo "$d"; done | sort -V | tail -1
}

pg_answers() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
  else tcp_open "$PG_HOST" "$PG_PORT"; fi   # the client is installed before it is needed
}

# Services by key: the name manifests give it, the command that starts one, and the Debian
# package that provides it.
ALL_KEYS=(amqp mqtt influx vm pg mysql ha)   # RabbitMQ first: it is by far the slowest to boot
declare -A NAME=([amqp]=rabbitmq [mqtt]=mosquitto [influx]=influxdb [vm]=victoria-metrics \
  [pg]=postgresql [mysql]=mariadb [ha]=homeassistant)
OWN=(postgresql)   # what flowrt's own tests need besides the packs': the group's database

# needed: the names of the servers the packs' tests and flowrt's own need, one a line.
needed() {
  local f
  for f in "$ROOT"/nodes/*/pack.toml; do
    sed -n 's/^test-servers *= *\[\(.*\)\]/\1/p' "$f" | grep -o '[A-Za-z0-9_.-]\+' || true
  done
  printf '%s\n' "${OWN[@]}"
}

NEEDED=" $(needed | sort -u | tr '\n' ' ') "
for name in $NEEDED; do
  [[ " ${NAME[*]} " == *" $name "* ]] \
    || die "a pack's test-servers names '$name', which this script cannot start (${NAME[*]})"
done
KEYS=()
if [ -n "${FLOWRT_SVC_ONLY:-}" ]; then
  for key in "${ALL_KEYS[@]}"; do [[ ",$FLOWRT_SVC_ONLY," == *",$key,"* ]] && KEYS+=("$key"); done
  [ ${#KEYS[@]} -gt 0 ] || die "FLOWRT_SVC_ONLY=$FLOWRT_SVC_ONLY names no server (${ALL_KEYS[*]})"
else
  for key in "${ALL_KEYS[@]}"; do [[ $NEEDED == *" ${NAME[$key]} "* ]] && KEYS+=("$key"); done
fi
selected() { [[ " ${KEYS[*]} " == *" $1 "* ]]; }
declare -A HOST=([amqp]=$AMQP_HOST [mqtt]=$MQTT_HOST [influx]=$INFLUX_HOST [vm]=$VM_HOST \
  [pg]=$PG_HOST [mysql]=$MY_HOST [ha]=$HA_HOST)
declare -A PORT=([amqp]=$AMQP_PORT [mqtt]=$MQTT_PORT [influx]=$INFLUX_PORT [vm]=$VM_PORT \
  [pg]=$PG_PORT [mysql]=$MY_PORT [ha]=$HA_PORT)
declare -A STARTER=([amqp]=start_rabbit [mqtt]=start_mosquitto [influx]=start_influx \
  [vm]=start_vm [pg]=start_postgres [mysql]=start_mariadb [ha]=start_homeassistant)
declare -A BINARY=([amqp]=rabbitmq-server [mqtt]=mosquitto [influx]=influxd \
  [vm]=victoria-metrics [pg]=pg_ctlcluster [mysql]=mariadbd)
declare -A PACKAGE=([amqp]=rabbitmq-server [mqtt]=mosquitto [influx]=influxdb \
  [vm]=victoria-metrics [pg]=postgresql [mysql]=mariadb-server)
declare -A HOW=()   # reused | down | started | why it is not available

answers() {
  case $1 in
    amqp) probe amqp "$AMQP_HOST" "$AMQP_PORT" ;;
    mqtt) probe mqtt "$MQTT_HOST" "$MQTT_PORT" ;;
    influx) probe influx "$INFLUX_HOST" "$INFLUX_PORT" ;;
    vm) probe vm "$VM_HOST" "$VM_PORT" ;;
    pg) pg_answers ;;
    mysql) probe mysql "$MY_HOST" "$MY_PORT" ;;
    ha) probe ha "$HA_HOST" "$HA_PORT" ;;
  esac
}

# One apt-get run (update, then install) for every package a down service needs.
install_missing() {
  local pkgs=() cleanup="" key
  command -v psql >/dev/null || pkgs+=(postgresql-client)
  command -v mosquitto_sub >/dev/null || pkgs+=(mosquitto-clients)   # docs/mqtt-broker.md
  if selected mysql && ! command -v mariadb >/dev/null; then pkgs+=(mariadb-client); fi
  for key in "${KEYS[@]}"; do
    [ -n "${PACKAGE[$key]:-}" ] || continue   # Home Assistant installs with pip, not apt
    if [ "${HOW[$key]}" = down ] && ! command -v "${BINARY[$key]}" >/dev/null; then
      pkgs+=("${PACKAGE[$key]}")
    fi
  done
  [ ${#pkgs[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "installing ${pkgs[*]} needs root"
  # Packages must not start their servers: we start them with our own configuration.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    cleanup=/usr/sbin/policy-rc.d
  fi
  local t0=$SECONDS rc=0
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; } \
    > "$SVC/apt.log" 2>&1 < /dev/null || rc=$?
  if [ -n "$cleanup" ]; then rm -f "$cleanup"; fi
  [ "$rc" = 0 ] || { tail -20 "$SVC/apt.log" >&2; die "apt-get install ${pkgs[*]} failed"; }
  log apt "installed ${pkgs[*]} in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------------------------
# Starting each server (only called when it does not answer and it is on this machine)

rabbit_env() {
  export RABBITMQ_NODENAME="flowrt-$AMQP_PORT@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$((AMQP_PORT + 20000))
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CONF_ENV_FILE=$SVC/rabbit/rabbitmq-env.conf
  export RABBITMQ_CONFIG_FILE=$SVC/rabbit/rabbitmq.conf RABBITMQ_PID_FILE=$SVC/rabbit/rabbit.pid
  export RABBITMQ_MNESIA_BASE=$SVC/rabbit/mnesia RABBITMQ_LOG_BASE=$SVC/rabbit/log
  export RABBITMQ_ENABLED_PLUGINS_FILE=$SVC/rabbit/enabled_plugins
}

start_rabbit() {
  mkdir -p "$SVC/rabbit/log"
  : > "$SVC/rabbit/rabbitmq-env.conf"
  echo "listeners.tcp.default = 127.0.0.1:$AMQP_PORT" > "$SVC/rabbit/rabbitmq.conf"
  echo '[].' > "$SVC/rabbit/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$SVC/rabbit"
  if ! tcp_open 127.0.0.1 4369; then
    nohup epmd -address 127.0.0.1 > "$SVC/rabbit/log/epmd.log" 2>&1 &
    echo $! > "$SVC/rabbit/epmd.pid"
  fi
  ( rabbit_env; rabbitmq-server -detached ) > "$SVC/rabbit/log/start.log" 2>&1
  started rabbitmq "rabbit $SVC/rabbit"
}

start_mosquitto() {
  local dir=$SVC/mosquitto
  mkdir -p "$dir"
  cat > "$dir/mosquitto.conf" <<EOF
user mosquitto
pid_file $dir/mosquitto.pid
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence true
set_tcp_nodelay true
persistence_location $dir/
log_dest file $dir/mosquitto.log
EOF
  chown -R mosquitto: "$dir"
  mosquitto -d -c "$dir/mosquitto.conf" > "$dir/start.log" 2>&1 \
    || { cat "$dir/start.log" >&2; return 1; }
  started mosquitto "pidfile $dir/mosquitto.pid"
}

start_influx() {
  local dir=$SVC/influxdb
  mkdir -p "$dir"
  cat > "$dir/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$((INFLUX_PORT + 2))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
[monitor]
  store-enabled = false
EOF
  nohup influxd -config "$dir/influxdb.conf" -pidfile "$dir/influxd.pid" \
    > "$dir/influxd.log" 2>&1 < /dev/null &
  started influxdb "pidfile $dir/influxd.pid"
}

start_vm() {
  local dir=$SVC/victoria-metrics
  mkdir -p "$dir"
  # 100 years of retention: tests write points with fixed, old timestamps.
  nohup victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" -storageDataPath="$dir/data" \
    -retentionPeriod=100y -search.latencyOffset=0s -loggerLevel=WARN \
    > "$dir/vm.log" 2>&1 < /dev/null &
  echo $! > "$dir/vm.pid"
  started victoria-metrics "pidfile $dir/vm.pid"
}

# PostgreSQL: start the installed cluster on that port if there is one, else a private one.
start_postgres() {
  local cluster
  cluster=$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}')
  if [ -n "$cluster" ]; then
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster start > "$SVC/postgres.log" 2>&1 \
      || { cat "$SVC/postgres.log" >&2; return 1; }
    started postgres "pgcluster $cluster"
    PG_STARTED_CLUSTER=$cluster
    return 0
  fi
  local dir=$SVC/postgres bin
  bin=$(pg_bin)
  mkdir -p "$dir" && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U "$PG_USER" --auth=trust -E UTF8 \
      > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c fsync=off" start > /dev/null \
    || { tail -20 "$dir/log" >&2; return 1; }
  started postgres "pgdata $dir/data"
}

# MariaDB: a private data directory, root logging in over TCP with no password.
start_mariadb() {
  local dir=$SVC/mariadb
  mkdir -p "$dir/run" && chown -R mysql:mysql "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --user=mysql --datadir="$dir/data" --auth-root-authentication-method=normal \
      --skip-test-db > "$dir/install.log" 2>&1 || { tail -20 "$dir/install.log" >&2; return 1; }
  fi
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$dir/mariadbd.pid" \
    --chuid mysql --exec /usr/sbin/mariadbd -- --datadir="$dir/data" --bind-address=127.0.0.1 \
    --port="$MY_PORT" --socket="$dir/run/mysqld.sock" --pid-file="$dir/run/mysqld.pid" \
    --log-error="$dir/error.log" --skip-log-bin --innodb-flush-log-at-trx-commit=0 \
    || return 1
  started mariadb "pidfile $dir/mariadbd.pid"
}

# Home Assistant: pip-installed into its own venv (it pins its own libraries), a configuration
# with a few helper entities and an owner whose long-lived token .ci/homeassistant_seed.py
# writes into the auth store; the token is left in $SVC/homeassistant/token for the tests.
HA_VERSION=2024.3.3   # the last release that runs on Python 3.11
HA_EXTRAS=(Pillow==10.2.0 janus==1.0.0 psutil-home-assistant==0.0.1 securetar==2024.2.1
  home-assistant-frontend==20240307.0 SQLAlchemy==2.0.27 fnv-hash-fast==0.5.0 'josepy<2'
  hassil==1.6.1 home-assistant-intents==2024.3.12)  # the last two: the Node-RED companion's
start_homeassistant() {
  local dir=$SVC/homeassistant t0=$SECONDS
  mkdir -p "$dir"
  if ! "$dir/venv/bin/hass" --version 2>/dev/null | grep -qx "$HA_VERSION"; then
    { python3 -m venv "$dir/venv" \
        && "$dir/venv/bin/pip" install -q "homeassistant==$HA_VERSION" "${HA_EXTRAS[@]}"; } \
      > "$dir/pip.log" 2>&1 || { tail -20 "$dir/pip.log" >&2; return 1; }
    log homeassistant "installed $HA_VERSION in $((SECONDS - t0)) s"
  fi
  "$dir/venv/bin/python" "$ROOT/.ci/homeassistant_seed.py" "$dir/config" "$HA_PORT" \
    > "$dir/token" || return 1
  chmod 600 "$dir/token"
  nohup "$dir/venv/bin/hass" -c "$dir/config" --skip-pip > "$dir/hass.log" 2>&1 < /dev/null &
  echo $! > "$dir/hass.pid"
  started homeassistant "pidfile $dir/hass.pid"
}

mysql_() { mariadb -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" --protocol=tcp -N -B "$@"; }

finish_mariadb() {
  local err
  if ! err=$(mysql_ -e 'select 1' 2>&1 > /dev/null); then
    echo "  $err" >&2
    echo "  the tests log in as '$MY_USER' with no password over TCP" >&2
    return 1
  fi
  if [ -z "$(mysql_ -e "show databases like '$MY_DB'")" ]; then
    mysql_ -e "create database \`$MY_DB\`" || return 1
    NOTE=", created database $MY_DB"
  fi
}

psql_() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -w -d postgres -X -q -tA "$@"; }

# A cluster we started from the Debian package asks for passwords over TCP: make it trust
# 127.0.0.1, as the tests connect without one.
trust_loopback() {
  local conf
  conf=/etc/postgresql/${1// //}/pg_hba.conf
  [ -f "$conf" ] || return 1
  { echo "host all all 127.0.0.1/32 trust  # added by flowrt .ci/services.sh"; cat "$conf"; } \
    > "$conf.new" && chown --reference="$conf" "$conf.new" && mv "$conf.new" "$conf"
  # shellcheck disable=SC2086
  pg_ctlcluster --skip-systemctl-redirect $1 reload
}

finish_postgres() {
  if ! psql_ -c 'select 1' > /dev/null 2>&1; then
    if [ -n "${PG_STARTED_CLUSTER:-}" ] && trust_loopback "$PG_STARTED_CLUSTER"; then
      wait_for 10 psql_ -c 'select 1' > /dev/null 2>&1 || true
    fi
  fi
  local err
  if ! err=$(psql_ -c 'select 1' 2>&1 > /dev/null); then
    echo "  $err" >&2
    echo "  the tests log in as '$PG_USER' without a password: add" \
      "'host all all 127.0.0.1/32 trust' to pg_hba.conf" >&2
    return 1
  fi
  if [ "$(psql_ -c "select 1 from pg_database where datname = '$PG_DB'")" != 1 ]; then
    psql_ -c "create database \"$PG_DB\"" || return 1
    NOTE=", created database $PG_DB"
  fi
}

# ---------------------------------------------------------------------------------------------

ensure() {
  mkdir -p "$SVC"
  local key failed=0 t0
  for key in "${KEYS[@]}"; do
    if answers "$key"; then HOW[$key]=reused
    elif tcp_open "${HOST[$key]}" "${PORT[$key]}"; then
      HOW[$key]="the port is taken by another program"
    elif is_local "${HOST[$key]}"; then HOW[$key]=down
    else HOW[$key]="the host is not this machine, so it was not started"; fi
  done
  install_missing
  # pg_isready may have been installed just now: look again before starting a second server.
  if selected pg && [ "${HOW[pg]}" = down ] && pg_answers; then HOW[pg]=reused; fi
  t0=$SECONDS
  for key in "${KEYS[@]}"; do
    [ "${HOW[$key]}" = down ] || continue
    if "${STARTER[$key]}"; then HOW[$key]=started; else HOW[$key]="it could not be started"; fi
  done
  settle mqtt "$MQTT_HOST:$MQTT_PORT" 20 "$SVC/mosquitto/mosquitto.log" || failed=1
  settle influx "$INFLUX_HOST:$INFLUX_PORT" 30 "$SVC/influxdb/influxd.log" || failed=1
  settle vm "$VM_HOST:$VM_PORT" 30 "$SVC/victoria-metrics/vm.log" || failed=1
  settle pg "$PG_HOST:$PG_PORT/$PG_DB" 30 "$SVC/postgres/log" || failed=1
  settle mysql "$MY_HOST:$MY_PORT/$MY_DB" 60 "$SVC/mariadb/error.log" || failed=1
  settle ha "$HA_HOST:$HA_PORT" 120 "$SVC/homeassistant/hass.log" || failed=1
  settle amqp "$AMQP_HOST:$AMQP_PORT" 120 "$SVC/rabbit/log" || failed=1
  [ "$failed" = 0 ] || die "some servers are not available (see above)"
}

# settle KEY ADDRESS SECONDS LOG: wait until a started server answers; print one line.
settle() {
  local key=$1 addr=$2 limit=$3 logf=$4 state name
  selected "$key" || return 0
  name=${NAME[$key]}
  state=${HOW[$key]}
  NOTE=""
  if [ "$state" != reused ] && [ "$state" != started ]; then
    log "$name" "FAILED: no $name answers on $addr: $state"; return 1
  elif [ "$state" = started ] && ! wait_for "$limit" answers "$key"; then
    log "$name" "FAILED: no answer on $addr after $limit s; log: $logf"; return 1
  elif [ "$key" = pg ] && ! finish_postgres; then
    log "$name" "FAILED: $addr answers but '$PG_USER' cannot use it without a password"
    return 1
  elif [ "$key" = mysql ] && ! finish_mariadb; then
    log "$name" "FAILED: $addr answers but '$MY_USER' cannot use it without a password"
    return 1
  elif [ "$state" = started ]; then
    log "$name" "$addr started, ready after $((SECONDS - t0)) s$NOTE"
  else
    log "$name" "$addr answers (reused)$NOTE"
  fi
}

# stop_pid PIDFILE SECONDS: end that process and wait until it has gone.
stop_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || return 0
  wait_for "$2" eval "! kill -0 $pid 2>/dev/null" || echo "  process $pid did not stop" >&2
}

stop() {
  [ -d "$SVC/started" ] || { echo "nothing to stop: ensure started no server"; return 0; }
  local f name kind arg
  for f in "$SVC"/started/*; do
    [ -e "$f" ] || continue
    name=$(basename "$f"); read -r kind arg < "$f"
    case $kind in
      pidfile) stop_pid "$arg" 20 ;;
      rabbit)
        stop_pid "$arg/rabbit.pid" 30
        stop_pid "$arg/epmd.pid" 5 && rm -f "$arg/epmd.pid"
        ;;
      pgcluster) pg_ctlcluster --skip-systemctl-redirect "${arg% *}" "${arg#* }" stop || true ;;
      pgdata) runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$arg" -m fast -w stop > /dev/null || true ;;
    esac
    rm -f "$f"
    log "$name" stopped
  done
}

case ${1:-} in
  ensure) ensure ;;
  stop) stop ;;
  servers) for key in "${KEYS[@]}"; do echo "$key ${NAME[$key]}"; done ;;
  *) echo "usage: $0 ensure|stop|servers" >&2; exit 2 ;;
esac
