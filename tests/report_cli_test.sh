#!/bin/sh
# `ckptsim report DIR` with a malformed DIR/summary.json must exit 2 and name the file
# and the JSON path. Usage: report_cli_test.sh CKPTSIM SCRATCH_DIR
set -u
ckptsim=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" || exit 1
printf '{"scenario": "x", "seed": "forty-two"}\n' > "$dir/summary.json"
"$ckptsim" report "$dir" > "$dir/stdout" 2> "$dir/stderr"
code=$?
if [ "$code" -ne 2 ]; then
  echo "FAIL: expected exit code 2, got $code"; cat "$dir/stderr"; exit 1
fi
if ! grep -qF "$dir/summary.json: \$.seed: expected an integer, got \"forty-two\"" "$dir/stderr"; then
  echo "FAIL: the message does not name the file and the JSON path:"; cat "$dir/stderr"; exit 1
fi
printf 'not json' > "$dir/summary.json"
"$ckptsim" report "$dir" > "$dir/stdout" 2> "$dir/stderr"
code=$?
if [ "$code" -ne 2 ] || ! grep -qF "$dir/summary.json: \$: expected a JSON document" "$dir/stderr"; then
  echo "FAIL: invalid JSON: exit $code"; cat "$dir/stderr"; exit 1
fi
if [ -e "$dir/report.html" ]; then echo "FAIL: report.html written from bad input"; exit 1; fi
echo "ok: $(cat "$dir/stderr")"
