#!/usr/bin/env bash
# The cross-engine comparison in one command (from anywhere in the repository):
#
#   benches/compare/run.sh           # full run, a few minutes: writes results/RESULTS.md,
#                                    # results/*.png and the README's comparison section
#   benches/compare/run.sh --quick   # small sizes only, a smoke test; writes results/raw/quick/
#   benches/compare/run.sh --report-only  # no measuring: redraw the reports from results/raw/timings.json
#
# Needs python3 (3.10+, with venv) and cargo. Creates benches/compare/.venv from PyPI
# on first use, builds jitexpr and the native roof in release mode, then runs compare.py.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
# Each requirement on its own: numpy is required, the others are reported if missing.
while read -r req; do
  case "$req" in ''|'#'*) continue ;; esac
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$req"; then
    if [ "${req%%==*}" = numpy ]; then
      echo "error: cannot install $req, which the comparison needs" >&2
      exit 1
    fi
    echo "warning: cannot install $req; the comparison goes on without it" >&2
  fi
done < "$here/requirements.txt"

# The Python package too, so jitexpr is also timed in-process like the others; the
# comparison goes on without it if it cannot be built.
if ! { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin==1.16.0" &&
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation "$here/../.."; }; then
  echo "warning: cannot build the jitexpr Python package; the comparison goes on without it" >&2
fi

exec "$venv/bin/python" "$here/compare.py" "$@"
