#!/usr/bin/env bash
# Streaming benchmark (not a test): inputs larger than RAM through `jitexpr eval`.
#
# Usage: benches/stream/run.sh [N] [DIR]
#   N    elements per float64 input (default 1e9: three inputs of 8 GB, 24 GB in all)
#   DIR  scratch directory on the disk to measure (default benches/stream/data);
#        created, and deleted at the end whatever happens.
#
# Steps: write three inputs with jitexpr itself (a generator streamed to a file),
# measure the disk's sequential read and write bandwidth with dd (O_DIRECT, so the
# page cache does not flatter it), then run `sqrt(a**2 + b**2 + c**2)` and the
# softmax program with /usr/bin/time -v: wall time, peak RSS. The "roof" of a run is
# the time the disk needs to read and write its bytes sequentially, one after the
# other (one device): reads / read_bw + writes / write_bw; the figure of merit is
# roof / wall (goal >= 0.8), and peak RSS (goal <= 512 MB at the default --memory).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000000}
DIR=${2:-benches/stream/data}
J=${JITEXPR:-target/release/jitexpr}
[ -n "${JITEXPR:-}" ] || cargo build --release --quiet
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT
bytes=$(python3 -c "print(int(float('$N')) * 8)")

# Wall seconds and peak RSS (kB) of a command, from /usr/bin/time -v.
timed() {
    local log; log=$(mktemp)
    /usr/bin/time -v "$@" 2>"$log" >/dev/null || { cat "$log" >&2; return 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log"
    echo "$wall $rss"
}

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "inputs: 3 x $N float64 = $((3 * bytes / 1000000000)) GB in $DIR"

for x in a b c; do
    read -r wall rss < <(timed $J eval "a" -i "a=random($N, $(printf '%d' "'$x"))" -o "$DIR/$x.npy" --stream --no-progress)
    echo "write $x.npy (jitexpr, generator streamed to file): ${wall}s, peak RSS $((rss / 1024)) MB"
done

# Disk bandwidth in this run: O_DIRECT sequential read of one input, and write of 4 GB.
read_s=$( { /usr/bin/time -f %e dd if="$DIR/a.npy" of=/dev/null bs=16M iflag=direct status=none; } 2>&1 | tail -1 )
write_bytes=$((4 * 1024 * 1024 * 1024))
write_s=$( { /usr/bin/time -f %e dd if=/dev/zero of="$DIR/dd.bin" bs=16M count=256 oflag=direct conv=fdatasync status=none; } 2>&1 | tail -1 )
rm -f "$DIR/dd.bin"
read_bw=$(python3 -c "print($bytes / $read_s / 1e9)")
write_bw=$(python3 -c "print($write_bytes / $write_s / 1e9)")
printf 'disk (dd, O_DIRECT): read %.2f GB/s, write %.2f GB/s\n' "$read_bw" "$write_bw"

report() { # name reads writes wall rss
    python3 - "$@" "$read_bw" "$write_bw" <<'PY'
import sys
name, reads, writes, wall, rss, rbw, wbw = sys.argv[1], *map(float, sys.argv[2:])
roof = reads / (rbw * 1e9) + writes / (wbw * 1e9)
print(f"{name}: wall {wall:.1f} s, disk roof {roof:.1f} s (read {reads/1e9:.0f} GB, write {writes/1e9:.0f} GB), "
      f"roof/wall {roof / wall:.2f}, peak RSS {rss / 1024:.0f} MB")
PY
}

ins=(-i "a=$DIR/a.npy" -i "b=$DIR/b.npy" -i "c=$DIR/c.npy")
read -r wall rss < <(timed $J eval "sqrt(a**2 + b**2 + c**2)" "${ins[@]}" -o "$DIR/r.npy" --no-progress)
report "sqrt(a**2 + b**2 + c**2)" $((3 * bytes)) "$bytes" "$wall" "$rss"
rm -f "$DIR/r.npy"

# Three passes over a: max, sum of the recomputed exponential, the division.
read -r wall rss < <(timed $J eval "e = exp(a - max(a)); e / sum(e)" -i "a=$DIR/a.npy" -o "$DIR/s.npy" --no-progress)
report "softmax e = exp(a - max(a)); e / sum(e)" $((3 * bytes)) "$bytes" "$wall" "$rss"
