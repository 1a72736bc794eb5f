#!/usr/bin/env bash
# A Spark standalone cluster on loopback for trying bqjobs on a real cluster: one master and two
# workers, each its own JVM, started from the Maven classpath of pipelines/ (no Spark download).
#
#   pipelines/scripts/spark-cluster.sh start     # prints the master URL (spark://127.0.0.1:PORT)
#   pipelines/scripts/spark-cluster.sh run --jobs=pipelines/examples/demo/jobs.yaml
#                                                # the bqjobs command on the cluster (driver here)
#   pipelines/scripts/spark-cluster.sh status    # master URL, web UI, registered workers
#   pipelines/scripts/spark-cluster.sh stop      # stops every JVM it started, by process ID
#
# Needs the modules installed once: mvn -B install -DskipTests. Environment:
#   SPARK_CLUSTER_DIR  state folder (default pipelines/target/spark-cluster): pids, logs, work dirs
#   WORKERS            number of workers (default 2); WORKER_CORES (1), WORKER_MEMORY (1g)
#   MVN_FLAGS          extra Maven flags for writing the classpath (e.g. -o)
# Ports are chosen at run time (port 0); everything binds 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${SPARK_CLUSTER_DIR:-$ROOT/pipelines/target/spark-cluster}"
WORKERS="${WORKERS:-2}"
WORKER_CORES="${WORKER_CORES:-1}"
WORKER_MEMORY="${WORKER_MEMORY:-1g}"
# Every Spark JVM on Java 17 needs these (see pipelines/pom.xml, spark.opens).
OPENS="--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
LOGS="-Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true"

die() { echo "spark-cluster: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Waits (bounded) until file $1 has a line matching regex $2; prints the first match.
wait_for_log() {
  local file=$1 regex=$2 deadline=$((SECONDS + ${3:-120}))
  while [ $SECONDS -lt $deadline ]; do
    if grep -Eo "$regex" "$file" 2>/dev/null | head -n 1 | grep .; then return 0; fi
    sleep 0.5
  done
  return 1
}

webui() { cat "$DIR/master.webui" 2>/dev/null; }
master_url() { cat "$DIR/master.url" 2>/dev/null; }

alive_workers() {
  curl -fsS "$(webui)/json/" 2>/dev/null | grep -o '"state" *: *"ALIVE"' | wc -l
}

classpath() {
  mkdir -p "$DIR"
  if [ ! -s "$DIR/classpath.txt" ] || [ "$ROOT/pipelines/pom.xml" -nt "$DIR/classpath.txt" ]; then
    echo "spark-cluster: writing the classpath (mvn dependency:build-classpath)"
    (cd "$ROOT" && mvn -q -B ${MVN_FLAGS:-} -pl pipelines dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$DIR/classpath.txt") \
      || die "mvn dependency:build-classpath failed (run mvn -B install -DskipTests first)"
  fi
  cat "$DIR/classpath.txt"
}

start() {
  if alive "$DIR/master.pid"; then
    echo "spark-cluster: already running"; status; return 0
  fi
  rm -rf "$DIR/home" "$DIR/work" "$DIR/logs" "$DIR"/*.pid "$DIR/master.url" "$DIR/master.webui" \
    "$DIR/stable-classpath.txt"
  local cp; cp="$(classpath)"
  # The worker builds each executor's command from SPARK_HOME: jars/ and an empty RELEASE.
  mkdir -p "$DIR/home/jars" "$DIR/logs" "$DIR/work" "$DIR/local"
  : > "$DIR/home/RELEASE"
  local IFS=:
  local stable=()
  for jar in $cp; do
    case "$jar" in
      # Our own modules: copied, as a later mvn install would replace them under running JVMs.
      *-SNAPSHOT.jar) cp "$jar" "$DIR/home/jars/" && stable+=("$DIR/home/jars/$(basename "$jar")") ;;
      *.jar) ln -sf "$jar" "$DIR/home/jars/$(basename "$jar")" && stable+=("$jar") ;;
      *) stable+=("$jar") ;;
    esac
  done
  cp="${stable[*]}"
  echo "$cp" >"$DIR/stable-classpath.txt"
  unset IFS
  export SPARK_HOME="$DIR/home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 \
    SPARK_LOCAL_DIRS="$DIR/local"

  # setsid: each daemon leads its own process group, which holds its executors too.
  # shellcheck disable=SC2086
  setsid java $OPENS $LOGS -Xmx512m -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port 0 --webui-port 0 >"$DIR/logs/master.log" 2>&1 </dev/null &
  echo $! >"$DIR/master.pid"
  local url web
  url=$(wait_for_log "$DIR/logs/master.log" 'spark://127\.0\.0\.1:[0-9]+') \
    || { stop; die "the master did not start; see $DIR/logs/master.log"; }
  web=$(wait_for_log "$DIR/logs/master.log" "'MasterUI' on port [0-9]+" | grep -Eo '[0-9]+$') \
    || { stop; die "the master web UI did not start; see $DIR/logs/master.log"; }
  echo "$url" >"$DIR/master.url"
  echo "http://127.0.0.1:$web" >"$DIR/master.webui"

  for i in $(seq 1 "$WORKERS"); do
    mkdir -p "$DIR/work/worker-$i"
    # shellcheck disable=SC2086
    setsid java $OPENS $LOGS -Xmx512m -cp "$cp" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --port 0 --webui-port 0 --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" \
      --work-dir "$DIR/work/worker-$i" "$url" >"$DIR/logs/worker-$i.log" 2>&1 </dev/null &
    echo $! >"$DIR/worker-$i.pid"
  done
  local deadline=$((SECONDS + 120))
  until [ "$(alive_workers)" -ge "$WORKERS" ]; do
    [ $SECONDS -lt $deadline ] || { stop; die "workers did not register; see $DIR/logs"; }
    sleep 0.5
  done
  status
}

status() {
  if ! alive "$DIR/master.pid"; then echo "spark-cluster: not running"; return 1; fi
  echo "master:  $(master_url)  (pid $(cat "$DIR/master.pid"))"
  echo "web UI:  $(webui)"
  for f in "$DIR"/worker-*.pid; do
    [ -f "$f" ] || continue
    if alive "$f"; then s=running; else s=dead; fi
    echo "$(basename "$f" .pid): pid $(cat "$f") $s"
  done
  echo "workers registered: $(alive_workers)"
  echo "logs: $DIR/logs, executors: $DIR/work/worker-*/app-*/*/stderr"
}

# Stops one daemon: its process group (the daemon and the executors it started) by ID.
stop_pid() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- -"$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL -- -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

stop() {
  for f in "$DIR"/worker-*.pid; do stop_pid "$f"; done
  stop_pid "$DIR/master.pid"
  echo "spark-cluster: stopped"
}

run() {
  alive "$DIR/master.pid" || die "not running: start it first (pipelines/scripts/spark-cluster.sh start)"
  [ -d "$ROOT/pipelines/target/classes" ] || die "build first: mvn -B install -DskipTests"
  [ -s "$DIR/stable-classpath.txt" ] || die "no $DIR/stable-classpath.txt: restart the cluster"
  local cp; cp="$ROOT/pipelines/target/classes:$(cat "$DIR/stable-classpath.txt")"
  # The workers' Spark home already has every dependency: stage only the command's own classes.
  # Cached partitions stored encoded (not MEMORY_ONLY objects), so executors can read each other's.
  local extra=()
  case " $* " in *" --filesToStage="*) ;; *) extra+=("--filesToStage=$ROOT/pipelines/target/classes") ;; esac
  case " $* " in *" --storageLevel="*) ;; *) extra+=("--storageLevel=MEMORY_AND_DISK") ;; esac
  # shellcheck disable=SC2086
  SPARK_LOCAL_IP=127.0.0.1 java $OPENS ${DRIVER_JAVA_OPTS:-} -cp "$cp" \
    -Dspark.executor.extraJavaOptions="$OPENS" -Dspark.executor.memory="${EXECUTOR_MEMORY:-768m}" \
    -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 -Dspark.ui.enabled=false \
    dev.bqjobs.pipelines.BqJobsCommand --runner=SparkRunner --sparkMaster="$(master_url)" \
    "${extra[@]}" "$@"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 start|stop|status|run [bqjobs options]" >&2; exit 2 ;;
esac
