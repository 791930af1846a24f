#!/bin/sh
# CPU profiles of the bench, cut to the timed part of each workload and side (bench.ts --windows,
# profile.ts --window), one profiled process per workload and side so no side's cold code or
# garbage lands in another's window; then relock's W1 and W2 at 10,000 and 100,000 locks (W6, in
# bench:scale's children) and W4's sampling heap profiles of relock and of the XState floor. Each
# is summarized by bench/profile.ts into .tmp/prof/<label>.txt; profiles stay in .tmp (ignored,
# never committed). Run from the repository root: sh bench/profiles.sh [workloads, default W1 W2 W3 W5]
set -e
npx tsc -p tsconfig.bench.json
out=.tmp/prof
rm -rf "$out" && mkdir -p "$out"
for workload in ${@:-W1 W2 W3 W5}; do
  for side in baseline floor relock; do
    dir="$out/$workload-$side"
    mkdir -p "$dir"
    node --expose-gc --cpu-prof --cpu-prof-interval 250 --cpu-prof-dir="$dir" .tmp/build/bench/bench.js \
      --only "$workload" --side "$side" --rounds 1 --windows "$dir/windows.json" > "$dir.run.txt" 2>&1
    for label in $(grep -o '"label": "[^"]*"' "$dir/windows.json" | cut -d'"' -f4); do
      node .tmp/build/bench/profile.js "$dir"/*.cpuprofile 30 --windows "$dir/windows.json" --window "$label" > "$out/$label.txt"
    done
  done
done
# W6: relock's W1 and W2 at 10,000 and 100,000 locks (bench:scale's children)
for workload in W1 W2; do
  for locks in 10000 100000; do
    dir="$out/W6-$workload-$locks"
    mkdir -p "$dir"
    node --expose-gc --cpu-prof --cpu-prof-interval 1000 --cpu-prof-dir="$dir" .tmp/build/bench/scale.js \
      --child "$workload" "$locks" "$dir/windows.json" > "$dir.run.txt" 2>&1
    node .tmp/build/bench/profile.js "$dir"/*.cpuprofile 30 --windows "$dir/windows.json" \
      --window "$workload-memory-relock" > "$out/W6-$workload-$locks-relock.txt"
  done
done
for side in relock floor; do
  node --expose-gc .tmp/build/bench/bench.js --only W4 --side $side --heap-sample "$out/W4-$side.heapprofile" > /dev/null 2>&1
  node .tmp/build/bench/profile.js "$out/W4-$side.heapprofile" 30 > "$out/W4-memory-$side.txt"
done
for file in "$out"/*.txt; do head -n 1 "$file"; done
