#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-fuzz.sh TARGET SEEDS RUNS: a short libFuzzer run over a copy of the
# seed corpus (libFuzzer writes new inputs into its corpus directory; the
# source tree must stay clean).  Exits with libFuzzer's status.
set -u
target=$1 seeds=$2 runs=${3:-20000}
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work/"
"$target" -runs="$runs" -max_total_time=60 -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 "$work" 2>"$work.log"
rc=$?
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY" "$work.log"
[ $rc = 0 ] || tail -n 40 "$work.log"
rm -f "$work.log"
exit $rc
