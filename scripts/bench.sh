#!/usr/bin/env bash
# scripts/bench.sh — end-to-end throughput and memory of esecheck against `cat` (issues 5, 12).
#
# Prints ONE markdown table with every shape, each against `cat` of the same files timed in the
# same run, in alternating runs (cat, esecheck, cat, esecheck...) so both see the same load:
#
#   warm     a database of $DB_MIB MiB of $PAGE_SIZE-byte pages (every page in use), warm cache
#   cold     the same database straight after dropping the page cache: cat, dd iflag=direct, esecheck
#   logs     $LOGS logs of 64 KiB (SRUM-sized) in one directory: `logs DIR`, and `verify` of a
#            64 MiB database with them in the same call; baseline `find DIR -type f -print0 |
#            xargs -0 cat` (a glob overflows the argument list)
#   many     $MANY databases of 64 MiB in one `checksum` call and one `verify DIR`, against one
#            database of the same total size
#   sparse   a database of $SPARSE_GIB GiB of which 1 GiB is data (the rest a hole) against the
#            dense 1 GiB database
#   manifest `verify DB --logs DIR` against `verify ... --manifest M` (the CRC-32 of every byte in
#            the same pass; goal ≤ 1.15×), and `compare M SET` against `cat` of the same files
#            (goal ≤ 1.0×): the $DB_MIB MiB database and $MLOGS logs of 64 KiB, in one directory
#   memory   peak RSS for every file type: the database, a 16 GiB sparse flush map, a dense
#            1 GiB flush map, the log directory (the RSS column of every row)
#   logical  the walk's cost (issue 22, "Measured"): `checksum DB` against `checksum --no-logical
#            DB` on a $DB_MIB MiB database of 4 KiB pages and one of 32 KiB pages, each carrying
#            $TABLES tables in interleaved extents (`mkfixture db --tables`, real B-trees over
#            every page), in alternating runs: best and median wall time, peak RSS, the time
#            ratio (goal <= 1.15) and (RSS with the walk - RSS without) / pages (goal <= 24 bytes
#            a page). Skipped, saying so, while the binary has no --no-logical.
#
# The big database ($DB_MIB MiB of $PAGE_SIZE-byte pages, also the warm, cold and manifest rows'
# database) carries $TABLES tables in interleaved extents, so every shape reads real trees.
#
# With the manifest shape, a line after the table gives crc32fast's speed over 1 MiB on one
# thread with the carry-less multiply kernel this CPU gets and with its table kernel (what a CPU
# without pclmulqdq runs): `cargo bench --bench kernels -- crc/crc32fast` (SKIP_CRC_KERNEL=1 to
# leave it out; the first run builds the benchmarks).
#
# Columns: median seconds over the runs, min–max, MB/s (10^6 bytes of file per second), the time
# ratio to the shape's `cat` row, peak RSS ("Maximum resident set size" of GNU time; file-backed
# pages included). Medians of alternating runs: the machine is shared and noisy.
#
# Cold cache: as root, `echo 3 > /proc/sys/vm/drop_caches` before every cold run; otherwise
# posix_fadvise(POSIX_FADV_DONTNEED) on the file (GNU dd iflag=nocache count=0). The table says
# which was used.
#
# Generated data lives in $BENCH_DIR (default /tmp/esecheck-bench), outside the repository, and
# is reused across runs (delete the directory to regenerate). Full size needs about 18 GB of disk
# (sparse files count only their data).
#
# Environment (defaults in brackets):
#   DB_MIB [4096]  PAGE_SIZE [32768]  LOGS [100000]  MANY [50]  SPARSE_GIB [1024]  MLOGS [5000]
#   RUNS [5]  COLD_RUNS [5]  BENCH_DIR [/tmp/esecheck-bench]
#   SKIP_COLD [0]  SKIP_LOGS [0]  SKIP_MANY [0]  SKIP_SPARSE [0]  SKIP_MEMORY [0]  SKIP_MANIFEST [0]
#   SKIP_CRC_KERNEL [0]  SKIP_LOGICAL [0]  TABLES [4]  LOGICAL_PAGE_SIZES ["4096 32768"]
#   ESECHECK [target/release/esecheck of this tree: the binary measured; the fixtures are always
#   written by this tree's mkfixture]
# Quick run (a few minutes): QUICK=1 scripts/bench.sh
#   = DB_MIB=1024 LOGS=10000 MANY=16 SPARSE_GIB=64 MLOGS=2000 RUNS=3 COLD_RUNS=3
#
# Needs bash, GNU time (/usr/bin/time; `apt-get install -y time`), awk, sort, find, xargs, dd.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${QUICK:-0}" = 1 ]; then
  : "${DB_MIB:=1024}" "${LOGS:=10000}" "${MANY:=16}" "${SPARSE_GIB:=64}" "${MLOGS:=2000}" "${RUNS:=3}" "${COLD_RUNS:=3}"
fi
BENCH_DIR=${BENCH_DIR:-/tmp/esecheck-bench}
DB_MIB=${DB_MIB:-4096}
PAGE_SIZE=${PAGE_SIZE:-32768}
LOGS=${LOGS:-100000}
MANY=${MANY:-50}
SPARSE_GIB=${SPARSE_GIB:-1024}
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-5}
SKIP_COLD=${SKIP_COLD:-0}
SKIP_LOGS=${SKIP_LOGS:-0}
SKIP_MANY=${SKIP_MANY:-0}
SKIP_SPARSE=${SKIP_SPARSE:-0}
SKIP_MEMORY=${SKIP_MEMORY:-0}
SKIP_MANIFEST=${SKIP_MANIFEST:-0}
SKIP_CRC_KERNEL=${SKIP_CRC_KERNEL:-0}
MLOGS=${MLOGS:-5000}
SKIP_LOGICAL=${SKIP_LOGICAL:-0}
TABLES=${TABLES:-4}
LOGICAL_PAGE_SIZES=${LOGICAL_PAGE_SIZES:-4096 32768}

case "$BENCH_DIR" in
  "$ROOT"|"$ROOT"/*) echo "bench.sh: BENCH_DIR must be outside the repository" >&2; exit 2 ;;
esac
if [ ! -x /usr/bin/time ]; then
  echo "bench.sh: GNU time missing: apt-get update && apt-get install -y time" >&2
  exit 2
fi

echo "building (release)..." >&2
(cd "$ROOT" && cargo build --release --quiet --features testkit --example mkfixture --bin esecheck)
E=${ESECHECK:-$ROOT/target/release/esecheck}
MK=$ROOT/target/release/examples/mkfixture
mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"

# --- fixtures -----------------------------------------------------------------------------
mkdb() { # mkdb FILE MIB [PAGE_SIZE [TABLES]]: a database of MIB MiB, every page in use
  local ps=${3:-$PAGE_SIZE} tables=${4:-1}
  local pages=$(( ($2 << 20) / ps - 2 )) len=$(( ($2 << 20) / ps * ps ))
  if [ ! -f "$1" ] || [ "$(stat -c %s "$1")" != "$len" ]; then
    echo "writing $1 ($2 MiB, $tables tables)..." >&2
    local t0; t0=$(date +%s%N)
    "$MK" db "$1" --page-size "$ps" --pages "$pages" --tables "$tables" > /dev/null
    echo "  written in $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s" >&2
  fi
}
tablesdb() { echo "db_${1}_${DB_MIB}mib_t${TABLES}.edb"; } # tablesdb PAGE_SIZE: the big database's name
DB=$(tablesdb "$PAGE_SIZE")
mkdb "$DB" "$DB_MIB" "$PAGE_SIZE" "$TABLES"
mkdb db_64mib.edb 64
LOGDIR=logs64k_$LOGS
if [ "$SKIP_LOGS" = 0 ] && [ ! -f "$LOGDIR.complete" ]; then
  echo "writing $LOGS logs of 64 KiB in $LOGDIR..." >&2
  rm -rf "$LOGDIR"
  "$MK" logs "$LOGDIR" --count "$LOGS" --base E00 --csec 16 --segments 14 > /dev/null
  touch "$LOGDIR.complete"
fi
MANYDIR=dbs64mib_$MANY
ONE=db_${PAGE_SIZE}_$((MANY * 64))mib.edb
if [ "$SKIP_MANY" = 0 ]; then
  mkdb "$ONE" $((MANY * 64))
  if [ ! -f "$MANYDIR.complete" ]; then
    rm -rf "$MANYDIR"; mkdir -p "$MANYDIR"
    for i in $(seq -w 1 "$MANY"); do cp db_64mib.edb "$MANYDIR/db$i.edb"; done
    touch "$MANYDIR.complete"
  fi
fi
SPARSE=sparse_${SPARSE_GIB}gib.edb
if [ "$SKIP_SPARSE" = 0 ]; then
  mkdb db_1024mib.edb 1024
  if [ ! -f "$SPARSE" ] || [ "$(stat -c %s "$SPARSE")" != $((SPARSE_GIB << 30)) ]; then
    echo "writing $SPARSE (1 GiB of data, the rest a hole)..." >&2
    cp --sparse=always db_1024mib.edb "$SPARSE"
    truncate -s "${SPARSE_GIB}G" "$SPARSE"
  fi
fi
if [ "$SKIP_MEMORY" = 0 ]; then
  [ -f fm_16gib_sparse.jfm ] || "$MK" flushmap fm_16gib_sparse.jfm --pages 1024 --sparse-mib 16384 > /dev/null
  [ -f fm_1gib.jfm ] || "$MK" flushmap fm_1gib.jfm --pages 131071 > /dev/null
fi

LOGICAL=""
if [ "$SKIP_LOGICAL" = 0 ]; then
  if "$E" checksum --help 2>/dev/null | grep -q -- --no-logical; then
    LOGICAL=yes
    for ps in $LOGICAL_PAGE_SIZES; do mkdb "$(tablesdb "$ps")" "$DB_MIB" "$ps" "$TABLES"; done
  else
    LOGICAL="skipped: this esecheck has no \`checksum --no-logical\` (issue 22's walk not wired in yet); no comparison"
  fi
fi

MSET=mset_${PAGE_SIZE}_${DB_MIB}mib_t${TABLES}_$MLOGS
if [ "$SKIP_MANIFEST" = 0 ] && [ ! -f "$MSET.complete" ]; then
  echo "writing $MSET (the database, linked, and $MLOGS logs of 64 KiB)..." >&2
  rm -rf "$MSET"; mkdir -p "$MSET"
  ln "$DB" "$MSET/db.edb" 2>/dev/null || cp "$DB" "$MSET/db.edb"
  "$MK" logs "$MSET/logs" --count "$MLOGS" --base E00 --csec 16 --segments 14 > /dev/null
  touch "$MSET.complete"
fi

# crc32fast's two kernels, before the timed shapes (criterion's own runs, one thread).
CRC_KERNEL=""
if [ "$SKIP_MANIFEST" = 0 ] && [ "$SKIP_CRC_KERNEL" = 0 ]; then
  echo "measuring crc32fast's kernels (cargo bench --bench kernels -- crc/crc32fast)..." >&2
  CRC_KERNEL=$(cd "$ROOT" && cargo bench --quiet --bench kernels -- '^crc/crc32fast' 2>/dev/null | awk '
    /^crc\/crc32fast_1mib/ { k = "clmul" } /^crc\/crc32fast_baseline_1mib/ { k = "table" }
    /thrpt:/ && k != "" { v[k] = $4 " " $5; k = "" }
    END { if (v["clmul"] != "") printf "crc32fast over 1 MiB, one thread: %s with the carry-less multiply kernel, %s with the table kernel (%.1fx)", v["clmul"], v["table"], v["clmul"] / v["table"] }') || true
fi

# --- measurement --------------------------------------------------------------------------
DROP=none
drop_caches() { # drop_caches FILE...: the page cache of these files (as root: of the machine)
  if [ "$DROP" = drop_caches ]; then sync; echo 3 > /proc/sys/vm/drop_caches; return; fi
  local f; for f in "$@"; do dd if="$f" iflag=nocache count=0 status=none; done
}
if [ "$SKIP_COLD" = 0 ]; then
  if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then DROP=drop_caches
  else DROP=fadvise; fi
fi

run_once() { # run_once CMD: prints "seconds maxrss_kib"
  local t0 t1 rssf
  rssf=$(mktemp)
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$rssf" sh -c "$1" > /dev/null 2>&1 || true
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v r="$(tail -n1 "$rssf")" 'BEGIN { printf "%.4f %d\n", (b - a) / 1e9, r }'
  rm -f "$rssf"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stats() { # stats "t1 r1\nt2 r2...": prints "median_s min max median_rss"
  local in; in=$(cat)
  printf '%s %s %s %s\n' "$(awk '{ print $1 }' <<< "$in" | median)" "$(awk '{ print $1 }' <<< "$in" | sort -g | head -n1)" \
    "$(awk '{ print $1 }' <<< "$in" | sort -g | tail -n1)" "$(awk '{ print $2 }' <<< "$in" | median)"
}

# shape MODE RUNS BYTES SHAPE LABEL1 CMD1 [LABEL2 CMD2...]: runs the commands alternately RUNS
# times (MODE cold: caches dropped before every run) and prints one row each; the first
# command is the shape's `cat`, the ratio's denominator. Sets LAST_MEDIANS.
shape() {
  local mode=$1 n=$2 bytes=$3 name=$4; shift 4
  local labels=() cmds=() i k
  while [ $# -gt 0 ]; do labels+=("$1"); cmds+=("$2"); shift 2; done
  local -a res
  for ((k = 0; k < ${#cmds[@]}; k++)); do res[k]=""; done
  if [ "$mode" = warm ]; then # one untimed round: every command's files in the cache
    for ((k = 0; k < ${#cmds[@]}; k++)); do run_once "${cmds[k]}" > /dev/null; done
  fi
  for ((i = 0; i < n; i++)); do
    for ((k = 0; k < ${#cmds[@]}; k++)); do
      if [ "$mode" = cold ]; then drop_caches $DROP_FILES; fi
      res[k]+="$(run_once "${cmds[k]}")"$'\n'
    done
  done
  local cat_s=""; LAST_MEDIANS=()
  for ((k = 0; k < ${#cmds[@]}; k++)); do
    read -r med lo hi rss < <(printf '%s' "${res[k]}" | stats)
    [ -n "$cat_s" ] || cat_s=$med
    LAST_MEDIANS+=("$med")
    awk -v sh="$name" -v l="${labels[k]}" -v s="$med" -v lo="$lo" -v hi="$hi" -v b="$bytes" -v c="$cat_s" -v r="$rss" \
      'BEGIN { printf "| %s | %s | %.3f | %.3f–%.3f | %.0f | %.2f | %.1f |\n", sh, l, s, lo, hi, b / s / 1e6, s / c, r / 1024 }'
  done
}
size() { du -sb --apparent-size "$@" | awk '{ s += $1 } END { print s }'; }

echo "## esecheck benchmark $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "esecheck $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet || echo '+dirty'); warm rows $RUNS alternating runs, cold rows $COLD_RUNS, medians; cold cache dropped by: $DROP"
echo "command: DB_MIB=$DB_MIB PAGE_SIZE=$PAGE_SIZE LOGS=$LOGS MANY=$MANY SPARSE_GIB=$SPARSE_GIB MLOGS=$MLOGS RUNS=$RUNS COLD_RUNS=$COLD_RUNS scripts/bench.sh"
echo "crc32fast kernel: $(grep -qw pclmulqdq /proc/cpuinfo && grep -qw sse4_1 /proc/cpuinfo && echo "carry-less multiply (pclmulqdq, sse4.1$(grep -qw vpclmulqdq /proc/cpuinfo && grep -qw avx512f /proc/cpuinfo && echo '; 512-bit folds: vpclmulqdq, avx512f'))" || echo 'table (no pclmulqdq)')"
# The fixtures' page cache is as their writers left it: mkfixture and cp leave different folio
# sizes, and a mapped scan runs up to 2x faster over large folios (fewer faults and TLB misses),
# which `cat` does not show. As root, drop it once, so that every warm shape reads files cached
# the way reading a snapshot caches them (by readahead).
if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  echo "page cache dropped once before the warm rows: every fixture re-read and cached by readahead"
fi
echo
echo "| shape | command | median s | min–max s | MB/s | × cat | peak RSS MiB |"
echo "|---|---|---:|---:|---:|---:|---:|"
Q="--no-progress -q"

cat "$DB" > /dev/null; cat "$DB" > /dev/null
shape warm "$RUNS" "$(size "$DB")" "warm: $DB_MIB MiB database" \
  '`cat FILE`' "cat $DB" \
  '`esecheck checksum FILE`' "$E checksum $Q $DB"

if [ "$SKIP_COLD" = 0 ]; then
  DROP_FILES=$DB
  shape cold "$COLD_RUNS" "$(size "$DB")" "cold: $DB_MIB MiB database" \
    '`cat FILE`' "cat $DB" \
    '`dd if=FILE of=/dev/null bs=4M iflag=direct`' "dd if=$DB of=/dev/null bs=4M iflag=direct status=none" \
    '`esecheck checksum FILE`' "$E checksum $Q $DB"
  COLD_RATIO_DD=$(awk -v e="${LAST_MEDIANS[2]}" -v d="${LAST_MEDIANS[1]}" 'BEGIN { printf "%.2f", e / d }')
fi

if [ "$SKIP_LOGS" = 0 ]; then
  find "$LOGDIR" -type f -print0 | xargs -0 cat > /dev/null
  shape warm "$RUNS" "$(size "$LOGDIR")" "logs: $LOGS × 64 KiB" \
    '`find DIR -type f -print0 \| xargs -0 cat`' "find $LOGDIR -type f -print0 | xargs -0 cat" \
    '`esecheck logs DIR`' "$E logs $Q $LOGDIR"
  shape warm "$RUNS" "$(size "$LOGDIR" db_64mib.edb)" "logs + database: $LOGS × 64 KiB + 64 MiB" \
    '`find DIR DB -type f -print0 \| xargs -0 cat`' "find $LOGDIR db_64mib.edb -type f -print0 | xargs -0 cat" \
    '`esecheck verify DB --logs DIR`' "$E verify $Q db_64mib.edb --logs $LOGDIR"
fi

if [ "$SKIP_MANY" = 0 ]; then
  cat "$ONE" "$MANYDIR"/* > /dev/null
  shape warm "$RUNS" "$(size "$ONE")" "many: one $((MANY * 64)) MiB database vs $MANY × 64 MiB" \
    '`cat ONE`' "cat $ONE" \
    '`cat DIR/*`' "cat $MANYDIR/*" \
    '`esecheck checksum ONE`' "$E checksum $Q $ONE" \
    '`esecheck checksum DIR/*`' "$E checksum $Q $MANYDIR/*" \
    '`esecheck verify DIR`' "$E verify $Q $MANYDIR"
  MANY_RATIOS=$(awk -v c1="${LAST_MEDIANS[0]}" -v cn="${LAST_MEDIANS[1]}" -v e1="${LAST_MEDIANS[2]}" -v en="${LAST_MEDIANS[3]}" -v ev="${LAST_MEDIANS[4]}" \
    'BEGIN { printf "many/one: cat %.2f, checksum %.2f, verify %.2f", cn / c1, en / e1, ev / e1 }')
fi

if [ "$SKIP_SPARSE" = 0 ]; then
  cat db_1024mib.edb > /dev/null
  shape warm "$RUNS" "$(size db_1024mib.edb)" "sparse: $SPARSE_GIB GiB with 1 GiB of data" \
    '`cat DENSE_1GIB`' "cat db_1024mib.edb" \
    '`esecheck checksum DENSE_1GIB`' "$E checksum $Q db_1024mib.edb" \
    '`esecheck checksum SPARSE`' "$E checksum $Q $SPARSE"
fi

if [ "$SKIP_MANIFEST" = 0 ]; then
  M=$BENCH_DIR/$MSET.manifest.json
  "$E" verify $Q "$MSET/db.edb" --logs "$MSET/logs" --manifest "$M" > /dev/null || true
  find "$MSET" -type f -print0 | xargs -0 cat > /dev/null
  shape warm "$RUNS" "$(size "$MSET")" "manifest: $DB_MIB MiB database + $MLOGS × 64 KiB" \
    '`find SET -type f -print0 \| xargs -0 cat`' "find $MSET -type f -print0 | xargs -0 cat" \
    '`esecheck verify DB --logs DIR`' "$E verify $Q $MSET/db.edb --logs $MSET/logs" \
    '`esecheck verify DB --logs DIR --manifest M`' "$E verify $Q $MSET/db.edb --logs $MSET/logs --manifest $M" \
    '`esecheck compare M SET`' "$E compare $Q $M $MSET"
  MANIFEST_RATIOS=$(awk -v c="${LAST_MEDIANS[0]}" -v v="${LAST_MEDIANS[1]}" -v m="${LAST_MEDIANS[2]}" -v k="${LAST_MEDIANS[3]}" \
    'BEGIN { printf "manifest: verify --manifest / verify = %.2f (goal <= 1.15); compare / cat = %.2f (goal <= 1.0)", m / v, k / c }')
fi

if [ "$SKIP_MEMORY" = 0 ]; then
  cat fm_1gib.jfm > /dev/null
  shape warm 1 "$(size fm_1gib.jfm)" "memory: flush maps" \
    '`cat FM_1GIB`' "cat fm_1gib.jfm" \
    '`esecheck checksum FM_1GIB` (dense)' "$E checksum $Q fm_1gib.jfm" \
    '`esecheck checksum FM_16GIB` (sparse)' "$E checksum $Q fm_16gib_sparse.jfm"
fi

echo
[ -z "${COLD_RATIO_DD:-}" ] || echo "cold: esecheck / dd iflag=direct = $COLD_RATIO_DD"
[ -z "${MANY_RATIOS:-}" ] || echo "$MANY_RATIOS"
[ -z "${MANIFEST_RATIOS:-}" ] || echo "$MANIFEST_RATIOS"
[ -z "$CRC_KERNEL" ] || echo "$CRC_KERNEL"
echo "MB/s of the sparse and flush-map rows count the data of the dense file; peak RSS is the memory row for every file type."

# --- logical: the walk's cost (issue 22) ---------------------------------------------------
logical_once() { # logical_once ARGS...: "seconds maxrss_kib" of `esecheck ARGS`, GNU time around esecheck itself
  local t0 t1 rssf
  rssf=$(mktemp)
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$rssf" "$E" "$@" > /dev/null 2>&1 || true
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v r="$(tail -n1 "$rssf")" 'BEGIN { printf "%.4f %d\n", (b - a) / 1e9, r }'
  rm -f "$rssf"
}
if [ "$SKIP_LOGICAL" = 0 ]; then
  echo
  if [ "$LOGICAL" != yes ]; then
    echo "logical: $LOGICAL"
  else
    echo "logical: \`checksum DB\` (the walk) against \`checksum --no-logical DB\`, $DB_MIB MiB databases of $TABLES tables in interleaved extents, warm cache, $RUNS alternating runs (GNU time around esecheck itself)"
    echo
    echo "| page size | pages | command | best s | median s | peak RSS MiB (median) |"
    echo "|---:|---:|---|---:|---:|---:|"
    SUMMARY=()
    for ps in $LOGICAL_PAGE_SIZES; do
      db=$(tablesdb "$ps")
      pages=$(( $(stat -c %s "$db") / ps - 2 ))
      cat "$db" > /dev/null
      logical_once checksum $Q --no-logical "$db" > /dev/null; logical_once checksum $Q "$db" > /dev/null
      without=""; with=""
      for ((i = 0; i < RUNS; i++)); do
        without+="$(logical_once checksum $Q --no-logical "$db")"$'\n'
        with+="$(logical_once checksum $Q "$db")"$'\n'
      done
      row() { # row LABEL RESULTS: prints the row, sets BEST and RSS
        BEST=$(printf '%s' "$2" | awk '{ print $1 }' | sort -g | head -n1)
        local med; med=$(printf '%s' "$2" | awk '{ print $1 }' | median)
        RSS=$(printf '%s' "$2" | awk '{ print $2 }' | median)
        awk -v ps="$ps" -v n="$pages" -v l="$1" -v b="$BEST" -v m="$med" -v r="$RSS" \
          'BEGIN { printf "| %d | %d | %s | %.3f | %.3f | %.1f |\n", ps, n, l, b, m, r / 1024 }'
      }
      row '`esecheck checksum --no-logical DB`' "$without"; best0=$BEST; rss0=$RSS
      row '`esecheck checksum DB`' "$with"; best1=$BEST; rss1=$RSS
      SUMMARY+=("$(awk -v ps="$ps" -v n="$pages" -v b0="$best0" -v b1="$best1" -v r0="$rss0" -v r1="$rss1" \
        'BEGIN { printf "logical, %d-byte pages: checksum / checksum --no-logical = %.2f (best of runs; goal <= 1.15); walk memory = (%d - %d KiB) / %d pages = %.1f bytes a page (goal <= 24)", ps, b1 / b0, r1, r0, n, (r1 - r0) * 1024 / n }')")
    done
    echo
    printf '%s\n' "${SUMMARY[@]}"
  fi
fi
