#!/usr/bin/env bash
# Summarises fuzz/logs/<target>.log: executions, final cov/ft, and when coverage last grew
# (the last NEW line, as an execution count and roughly in seconds from the start).
cd "$(dirname "$0")"
[ $# -eq 0 ] && set -- logs/*.log
for f in "$@"; do
  [ -f "$f" ] || continue
  awk -v name="$(basename "$f" .log)" '
    /^#[0-9]+/ { n = substr($1, 2) + 0; last = $0
      for (i = 1; i <= NF; i++) { if ($i == "cov:") cov = $(i+1); if ($i == "ft:") ft = $(i+1); if ($i == "exec/s:") eps = $(i+1) }
      if ($2 == "NEW") { lastnew = n } }
    /^stat::number_of_executed_units/ { execs = $2 }
    /^stat::peak_rss_mb/ { rss = $2 }
    /^Done [0-9]+ runs in [0-9]+ second/ { secs = $5 }
    END {
      if (!execs) execs = n
      rate = (secs && execs) ? execs / secs : eps
      printf "%-16s execs %9d  cov %5s  ft %5s  last NEW at #%d (~%ds)  %s  peak rss %s MB\n",
        name, execs, cov, ft, lastnew, rate ? lastnew / rate : 0, secs ? "ran " secs "s" : "running", rss ? rss : "?" }' "$f"
done
