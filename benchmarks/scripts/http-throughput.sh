#!/usr/bin/env bash
# HTTP throughput of the local BigQuery server: jobs.get of one DONE job with wrk, at 4
# connections (RUNS runs, median reported) and at 256 and 1,000 kept-alive connections.
#
#   benchmarks/scripts/http-throughput.sh [JAR]     # default emulator/target/bqjobs-emulator.jar
#
# Environment: DURATION (default 10s), RUNS (default 3), THREADS (wrk threads, default 2),
# CONNECTIONS (the high-concurrency levels, default "256 1000"), JAVA_OPTS (server JVM options).
# Needs wrk (apt-get install wrk) and curl. Prints one line per wrk run and a summary table.
set -euo pipefail

JAR=${1:-emulator/target/bqjobs-emulator.jar}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-"256 1000"}
JAVA_OPTS=${JAVA_OPTS:-}
PROJECT=throughput

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
[ -f "$JAR" ] || { echo "no $JAR: mvn -B -pl emulator package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --port 0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 1 300); do
  URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.out")
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "server did not start" >&2; exit 1; }

curl -sf -X POST "$URL/bigquery/v2/projects/$PROJECT/jobs" -H 'Content-Type: application/json' \
  -d '{"jobReference":{"jobId":"throughput_job"},"configuration":{"query":{"query":"SELECT 1","useLegacySql":false}}}' >/dev/null
GET="$URL/bigquery/v2/projects/$PROJECT/jobs/throughput_job?location=US"
for _ in $(seq 1 100); do
  curl -sf "$GET" | grep -q '"DONE"' && break
  sleep 0.1
done
curl -sf "$GET" | grep -q '"DONE"' || { echo "the job did not finish" >&2; exit 1; }

# One wrk run: prints "connections req_per_s socket_errors non_2xx" and keeps wrk's output.
run_wrk() {
  local connections=$1 out="$WORK/wrk-$1-$RANDOM.txt"
  wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency "$GET" >"$out"
  local rps errors non2xx p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10; found=1} END {if (!found) print 0}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5; found=1} END {if (!found) print 0}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  echo "$connections $rps $errors $non2xx $p50 $p99"
}

echo "server: $URL (JAVA_OPTS='$JAVA_OPTS'), wrk -t$THREADS -d$DURATION --latency GET jobs.get"
results=()
for i in $(seq 1 "$RUNS"); do
  line=$(run_wrk 4)
  echo "run $i at 4 connections: $line"
  results+=("$line")
done
median=$(printf '%s\n' "${results[@]}" | sort -k2 -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)')
summary=("$median")
for c in $CONNECTIONS; do
  line=$(run_wrk "$c")
  echo "run at $c connections: $line"
  summary+=("$line")
done

echo
echo "| connections | requests/s | socket errors | non-2xx | p50 | p99 |"
echo "|---|---|---|---|---|---|"
first=1
for line in "${summary[@]}"; do
  read -r c rps errors non2xx p50 p99 <<<"$line"
  label=$c
  if [ $first = 1 ]; then label="$c (median of $RUNS)"; first=0; fi
  echo "| $label | $rps | $errors | $non2xx | $p50 | $p99 |"
done
