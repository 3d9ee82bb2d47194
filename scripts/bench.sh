#!/usr/bin/env bash
# scripts/bench.sh — end-to-end throughput of esecheck against `cat` (issue 5).
#
# What it does:
#   1. builds esecheck and the fixture writer (examples/mkfixture.rs) in release mode;
#   2. writes, unless already there, a database of $DB_MIB MiB of $PAGE_SIZE-byte pages in which
#      every page is in use and valid, and a stream of $LOGS valid 1 MiB logs (256 segments);
#   3. warms the page cache (cat, twice) and checks that esecheck passes the database;
#   4. prints a markdown table of medians over $RUNS runs: `cat FILE > /dev/null` and
#      `esecheck checksum FILE` (default threads, --threads 1, --threads 2): seconds, MB/s
#      (10^6 bytes/s), time ratio to cat, and peak RSS ("Maximum resident set size" of GNU time);
#   5. cold-cache rows (page cache dropped before every run) when this user may write
#      /proc/sys/vm/drop_caches, otherwise a note that they were skipped;
#   6. the logs rows run only when this build has an `esecheck logs` command (hook for later).
#
# Generated data lives in $BENCH_DIR (default /tmp/esecheck-bench), outside the repository; it is
# reused across runs (delete the directory to regenerate). Nothing is ever written to the repo.
#
# Environment (defaults in brackets):
#   DB_MIB [4096]  PAGE_SIZE [32768]  LOGS [5000]  RUNS [5]  COLD_RUNS [3]
#   BENCH_DIR [/tmp/esecheck-bench]  SKIP_LOGS [0]  SKIP_COLD [0]
#   BASELINE_BIN [unset]: another esecheck binary (e.g. built from an older commit) to time on
#   the warm database rows too, for before/after tables.
# Quick run: DB_MIB=512 LOGS=500 RUNS=3 scripts/bench.sh
#
# Needs bash, GNU time (/usr/bin/time; `apt-get install -y time`), awk, sort. Timing uses
# `date +%s%N` around each run; GNU time only supplies the peak RSS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/esecheck-bench}
DB_MIB=${DB_MIB:-4096}
PAGE_SIZE=${PAGE_SIZE:-32768}
LOGS=${LOGS:-5000}
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-3}
SKIP_LOGS=${SKIP_LOGS:-0}
SKIP_COLD=${SKIP_COLD:-0}
BASELINE_BIN=${BASELINE_BIN:-}

case "$BENCH_DIR" in
  "$ROOT"|"$ROOT"/*) echo "bench.sh: BENCH_DIR must be outside the repository" >&2; exit 2 ;;
esac
if [ ! -x /usr/bin/time ]; then
  echo "bench.sh: GNU time missing: apt-get update && apt-get install -y time" >&2
  exit 2
fi

echo "building (release)..." >&2
(cd "$ROOT" && cargo build --release --quiet --features testkit --example mkfixture --bin esecheck)
ESECHECK=$ROOT/target/release/esecheck
MKFIXTURE=$ROOT/target/release/examples/mkfixture

mkdir -p "$BENCH_DIR"
DB=$BENCH_DIR/db_${PAGE_SIZE}_${DB_MIB}mib.edb
want_pages=$(( (DB_MIB << 20) / PAGE_SIZE - 2 ))
want_len=$(( (want_pages + 2) * PAGE_SIZE ))
if [ ! -f "$DB" ] || [ "$(stat -c %s "$DB")" != "$want_len" ]; then
  echo "writing $DB ($want_pages pages of $PAGE_SIZE bytes, all in use)..." >&2
  "$MKFIXTURE" db "$DB" --page-size "$PAGE_SIZE" --pages "$want_pages" >&2
fi
LOGDIR=$BENCH_DIR/logs_$LOGS
if [ "$SKIP_LOGS" = 0 ] && [ ! -f "$LOGDIR/.complete" ]; then
  echo "writing $LOGS logs of 1 MiB in $LOGDIR..." >&2
  rm -rf "$LOGDIR"
  "$MKFIXTURE" logs "$LOGDIR" --count "$LOGS" --base E00 --csec 256 --segments 254 >&2
  touch "$LOGDIR/.complete"
fi

# run_once CMD... : prints "seconds maxrss_kib"; the command's stdout goes to /dev/null.
run_once() {
  local t0 t1 rssf
  rssf=$(mktemp)
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$rssf" "$@" > /dev/null
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v r="$(tail -n1 "$rssf")" 'BEGIN { printf "%.4f %d\n", (b - a) / 1e9, r }'
  rm -f "$rssf"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

drop_caches() { sync && echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null

# measure MODE RUNS CMD... : sets SECS, RSS (medians), SPREAD (min-max seconds).
measure() {
  local mode=$1 n=$2; shift 2
  local out=() i
  for ((i = 0; i < n; i++)); do
    if [ "$mode" = cold ]; then drop_caches; fi
    out+=("$(run_once "$@")")
  done
  SECS=$(printf '%s\n' "${out[@]}" | awk '{ print $1 }' | median)
  RSS=$(printf '%s\n' "${out[@]}" | awk '{ print $2 }' | median)
  SPREAD=$(printf '%s\n' "${out[@]}" | awk 'NR == 1 { lo = hi = $1 } { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { printf "%.3f–%.3f", lo, hi }')
}

BYTES=0
CAT_SECS=1
row() { # row LABEL
  awk -v l="$1" -v s="$SECS" -v b="$BYTES" -v c="$CAT_SECS" -v r="$RSS" -v sp="$SPREAD" \
    'BEGIN { printf "| %s | %.3f | %s | %.0f | %.2f | %.1f |\n", l, s, sp, b / s / 1e6, s / c, r / 1024 }'
}
header() {
  echo
  echo "$1"
  echo
  echo "| command | median s | min–max s | MB/s | × cat | peak RSS MiB |"
  echo "|---|---:|---:|---:|---:|---:|"
}

echo "checking the fixture passes..." >&2
"$ESECHECK" checksum --no-progress "$DB" | grep -q ' 0 uninitialized pages' || {
  echo "bench.sh: fixture has uninitialized pages or does not verify" >&2; exit 1; }
"$ESECHECK" checksum --no-progress --quiet "$DB" > /dev/null

BYTES=$(stat -c %s "$DB")
echo "## esecheck benchmark $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "esecheck $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet || echo '+dirty'); $RUNS runs per row, medians"

cat "$DB" > /dev/null; cat "$DB" > /dev/null
header "### Database: $DB_MIB MiB, $PAGE_SIZE-byte pages, warm page cache"
measure warm "$RUNS" cat "$DB"; CAT_SECS=$SECS; row '`cat FILE > /dev/null`'
measure warm "$RUNS" "$ESECHECK" checksum --no-progress "$DB"; row '`esecheck checksum FILE`'
measure warm "$RUNS" "$ESECHECK" --threads 1 checksum --no-progress "$DB"; row '`esecheck --threads 1 checksum FILE`'
measure warm "$RUNS" "$ESECHECK" --threads 2 checksum --no-progress "$DB"; row '`esecheck --threads 2 checksum FILE`'
if [ -n "$BASELINE_BIN" ]; then
  measure warm "$RUNS" "$BASELINE_BIN" checksum --no-progress "$DB"; row "baseline \`$(basename "$BASELINE_BIN") checksum FILE\`"
  measure warm "$RUNS" "$BASELINE_BIN" --threads 1 checksum --no-progress "$DB"; row "baseline \`$(basename "$BASELINE_BIN") --threads 1 checksum FILE\`"
fi

if [ "$SKIP_COLD" = 0 ] && drop_caches; then
  header "### Database, cold page cache (dropped before each run), $COLD_RUNS runs"
  measure cold "$COLD_RUNS" cat "$DB"; CAT_SECS=$SECS; row '`cat FILE > /dev/null` (cold)'
  measure cold "$COLD_RUNS" "$ESECHECK" checksum --no-progress "$DB"; row '`esecheck checksum FILE` (cold)'
  cat "$DB" > /dev/null
else
  echo
  echo "cold-cache rows skipped (SKIP_COLD=$SKIP_COLD, or no permission to write /proc/sys/vm/drop_caches)"
fi

if [ "$SKIP_LOGS" = 0 ]; then
  if "$ESECHECK" logs --help > /dev/null 2>&1; then
    BYTES=$(du -sb "$LOGDIR" | awk '{ print $1 }')
    cat "$LOGDIR"/* > /dev/null
    header "### Logs: $LOGS × 1 MiB, warm page cache"
    measure warm "$RUNS" sh -c "cat '$LOGDIR'/* > /dev/null"; CAT_SECS=$SECS; row '`cat DIR/* > /dev/null`'
    measure warm "$RUNS" "$ESECHECK" logs --no-progress "$LOGDIR"; row '`esecheck logs DIR`'
    measure warm "$RUNS" "$ESECHECK" --threads 1 logs --no-progress "$LOGDIR"; row '`esecheck --threads 1 logs DIR`'
    # The backup-set verdict over both: every page of the database and every log of the stream.
    DB_BYTES=$(stat -c %s "$DB")
    BYTES=$((BYTES + DB_BYTES))
    cat "$DB" > /dev/null
    header "### verify: the database and the $LOGS logs together, warm page cache"
    measure warm "$RUNS" sh -c "cat '$DB' '$LOGDIR'/* > /dev/null"; CAT_SECS=$SECS; row '`cat FILE DIR/* > /dev/null`'
    measure warm "$RUNS" "$ESECHECK" verify --no-progress "$DB" --logs "$LOGDIR"; row '`esecheck verify FILE --logs DIR`'
  else
    echo
    echo "logs rows skipped: this esecheck has no \`logs\` command yet ($LOGS logs are ready in $LOGDIR)"
  fi
fi
