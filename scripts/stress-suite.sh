#!/usr/bin/env bash
# Runs the test suite N times in a row (default 10) while stress-ng keeps every core busy, and
# prints one line per run from vitest's JSON report, then the tally. A flaky test shows here
# long before it blocks CI. Needs a build (npm run build) and stress-ng (apt-get install stress-ng).
#   scripts/stress-suite.sh [runs] [extra vitest args…]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
shift || true
command -v stress-ng >/dev/null || { echo "stress-ng is not installed (apt-get install stress-ng)"; exit 2; }
stress-ng --cpu "$(nproc)" --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null' EXIT
report=.vitest/report.json
failed_runs=0
for i in $(seq 1 "$runs"); do
  rm -f "$report"
  start=$(date +%s)
  npx vitest run "$@" >".vitest/stress-$i.log" 2>&1
  took=$(( $(date +%s) - start ))
  line=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failed = r.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === "failed").map((a) => `${f.name.replace(process.cwd() + "/", "")} > ${a.fullName}`));
    const broken = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).map((f) => f.name);
    console.log(`${r.numPassedTests} passed, ${failed.length + broken.length} failed${[...failed, ...broken].map((n) => `\n    ${n}`).join("")}`);
    process.exit(failed.length + broken.length > 0 ? 1 : 0);
  ' "$report" 2>/dev/null) || failed_runs=$((failed_runs + 1))
  echo "run $i (${took} s): ${line:-no report}"
done
echo "$((runs - failed_runs)) of $runs runs passed under stress-ng --cpu $(nproc)"
[ "$failed_runs" -eq 0 ]
