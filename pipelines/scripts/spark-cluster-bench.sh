#!/usr/bin/env bash
# The benchmark's bqjobs workload on the local Spark cluster of spark-cluster.sh: N query jobs
# "SELECT 1" through the bqjobs command (SparkRunner, driver here, tasks on the workers) against a
# fresh local server process, then the figures of benchmarks/README.md from the server's stats.
#
#   WORKER_CORES=5 pipelines/scripts/spark-cluster.sh start    # 2 workers x 5 slots = 10 shards
#   pipelines/scripts/spark-cluster-bench.sh                   # JOBS=2000 RUNTIME=500ms..2500ms CAP=200
#   pipelines/scripts/spark-cluster.sh stop
#
# Output in pipelines/target/spark-bench/: figures.txt, stats.json, jobs.json, command.log.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JOBS="${JOBS:-2000}"
RUNTIME="${RUNTIME:-500ms..2500ms}"
CAP="${CAP:-200}"
SEED="${SEED:-42}"
OUT="${BENCH_DIR:-$ROOT/pipelines/target/spark-bench}"
EMULATOR_JAR="$ROOT/emulator/target/bqjobs-emulator.jar"
[ -f "$EMULATOR_JAR" ] || { echo "build first: mvn -B install -DskipTests" >&2; exit 1; }
"$ROOT/pipelines/scripts/spark-cluster.sh" status >/dev/null \
  || { echo "start the cluster first: pipelines/scripts/spark-cluster.sh start" >&2; exit 1; }

rm -rf "$OUT" && mkdir -p "$OUT/gcs"
for i in $(seq 1 "$JOBS"); do
  printf '{"key":"q%05d","configuration":{"query":{"query":"SELECT 1","useLegacySql":false}}}\n' "$i"
done >"$OUT/jobs.jsonl"

# A copy: a concurrent build may replace the jar under the running server.
cp "$EMULATOR_JAR" "$OUT/bqjobs-emulator.jar"
java -Xmx1g -jar "$OUT/bqjobs-emulator.jar" --port 0 --gcs-root "$OUT/gcs" --job-runtime "$RUNTIME" \
  --max-running-jobs "$CAP" --seed "$SEED" >"$OUT/server.log" 2>&1 </dev/null &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 600); do
  URL=$(grep -Eo 'listening on http://[0-9.:]+' "$OUT/server.log" | sed 's/listening on //' || true)
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" || { cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$URL" ] || { echo "the server did not start" >&2; exit 1; }

START_MS=$(date +%s%3N)
set +e
"$ROOT/pipelines/scripts/spark-cluster.sh" run --jobs="$OUT/jobs.jsonl" --output="$OUT/out" \
  --bigQueryEndpoint="$URL/" --maxConcurrentJobs="$CAP" >"$OUT/command.log" 2>&1
CODE=$?
set -e
END_MS=$(date +%s%3N)

curl -fsS "$URL/emulator/v1/stats" >"$OUT/stats.json"
: >"$OUT/jobs.json"
TOKEN=""
while :; do
  PAGE=$(curl -fsS "$URL/bigquery/v2/projects/bqjobs-local/jobs?maxResults=1000&allUsers=true&projection=full${TOKEN:+&pageToken=$TOKEN}")
  echo "$PAGE" >>"$OUT/jobs.json"
  TOKEN=$(echo "$PAGE" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("nextPageToken",""))')
  [ -n "$TOKEN" ] || break
done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
trap - EXIT

python3 - "$OUT" "$START_MS" "$END_MS" "$CODE" "$JOBS" "$CAP" "$RUNTIME" <<'EOF' | tee "$OUT/figures.txt"
import json, sys
out, start, end, code, n, cap, runtime = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
stats = json.load(open(out + "/stats.json"))
jobs = []
dec = json.JSONDecoder()
text = open(out + "/jobs.json").read()
i = 0
while i < len(text):
    if text[i].isspace():
        i += 1; continue
    page, i = dec.raw_decode(text, i)
    jobs += page.get("jobs", [])
created = [int(j["statistics"]["creationTime"]) for j in jobs]
ended = [int(j["statistics"]["endTime"]) for j in jobs if j["statistics"].get("endTime")]
r = list(stats["scheduledRuntimeMs"].values())
bound = max(max(r), sum(r) / cap) / 1000
req = stats["requests"]
gets = sum(v for k, v in req.items() if k.startswith("jobs.get "))
inserts = sum(v for k, v in req.items() if k.startswith("jobs.insert "))
ex = stats["executionsPerJob"]
dups = sum(v - 1 for v in ex.values())
wall = (end - min(created)) / 1000
span = (max(ended) - min(created)) / 1000
print(f"jobs {n} (listed {len(jobs)}, executed {len(ex)}), runtime {runtime}, cap {cap}, exit {code}")
print(f"wall from first insert to command end: {wall:.1f} s; start-up (command start to first insert): {(min(created) - start) / 1000:.1f} s; command total {(end - start) / 1000:.1f} s")
print(f"server span (first insert to last job end): {span:.1f} s; slot use {sum(r) / 1000 / (cap * span):.2f}")
print(f"bound max(max r, sum r / cap): {bound:.1f} s; ratio wall/bound: {wall / bound:.2f}")
print(f"jobs.get/job {gets / n:.2f}; jobs.insert/job {inserts / n:.2f} (409: {req.get('jobs.insert 409', 0)}); duplicates {dups}")
EOF
