#!/usr/bin/env bash
# Run the fuzz targets one after another, each for a given time, on one core.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s; compile npy differential)
#
# Seeds the corpora first (corpus/ is not committed): `compile` gets every
# expression of tests/corpus/*.toml and the grammar's examples, `npy` the .npy
# files of tests/data, and every target the committed inputs of regressions/.
# Crashes land in artifacts/TARGET/; logs and final stats in logs/TARGET.log.
# KEEP_GOING=1 runs libFuzzer in fork mode and goes on after a crash, timeout
# or out-of-memory (for long campaigns); otherwise the first crash stops a target.
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain (or
# RUSTC_BOOTSTRAP=1 on stable, which this script falls back to).
set -euo pipefail
cd "$(dirname "$0")"

secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compile npy differential)

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

mkdir -p corpus/compile corpus/npy corpus/differential logs
cp ../tests/data/*.npy corpus/npy/
python3 - <<'PY'
import glob, hashlib, re, tomllib
exprs = []
for path in glob.glob("../tests/corpus/*.toml"):
    with open(path, "rb") as f:
        exprs += [case["expr"] for case in tomllib.load(f)["case"]]
with open("../grammar/jitexpr.ebnf") as f:
    for m in re.finditer(r"/\* (?:error )?example: (.*?)(?: => .*)? \*/", f.read()):
        exprs.append(m.group(1).replace("\\n", "\n").replace("\\\\", "\\"))
for e in exprs:
    name = hashlib.sha1(e.encode()).hexdigest()
    with open(f"corpus/compile/{name}", "w") as f:
        f.write(e)
PY

nice -n 10 "${fuzz[@]}" build -O
keep_going=()
[ "${KEEP_GOING:-0}" = 1 ] && keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
for t in "${targets[@]}"; do
  extra=()
  [ -d "regressions/$t" ] && extra=("regressions/$t")
  echo "== $t: ${secs}s"
  nice -n 19 "${fuzz[@]}" run -O "$t" "corpus/$t" "${extra[@]}" -- \
    -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 "${keep_going[@]}" 2>&1 | tee "logs/$t.log" \
    | grep -E '^#[0-9]+.*(INITED|DONE)|ERROR|SUMMARY|stat::number_of_executed_units' || true
done
