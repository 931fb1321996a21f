#!/bin/bash
# Whole cpu-preset runs with dense word-embedding gradients (commit 60643ae, the last before sparse ones) and with
# sparse ones (this checkout), one after the other in one sitting: RSS_MP_GS in auto and fp32, RSS_MP_FX_CS_PAL seed 1
# in bf16 and fp32, then RSS_MP_GS in auto again, sparse first. Writes OUT/dense/NAME and OUT/sparse/NAME
# (results/word-grads-cpu-amx holds their metrics.json).
# Usage: tools/word_grads_runs.sh [OUT]   (run from the repository root, MINIBERT_DATA set)
OUT=$(realpath -m "${1:-runs/word-grads}"); HERE=$(pwd); BEFORE=$(mktemp -d)/dense
git worktree add --detach -q "$BEFORE" 60643ae || exit 1
one() {  # dir kind name method settings...
  local dir=$1 kind=$2 name=$3 method=$4; shift 4
  (cd "$dir" && python -m minibert_nb.train "$method" --preset cpu --quiet --set "$@" out_dir="$OUT/$kind/$name") \
    > "$OUT/$kind-$name.log" 2>&1
  echo "$(date +%T) $kind $name exit $?"
}
mkdir -p "$OUT"
for p in auto fp32; do
  one "$BEFORE" dense RSS_MP_GS-$p RSS_MP_GS precision=$p
  one "$HERE" sparse RSS_MP_GS-$p RSS_MP_GS precision=$p
done
for p in bf16 fp32; do
  one "$BEFORE" dense RSS_MP_FX_CS_PAL-$p-seed1 RSS_MP_FX_CS_PAL precision=$p seed=1
  one "$HERE" sparse RSS_MP_FX_CS_PAL-$p-seed1 RSS_MP_FX_CS_PAL precision=$p seed=1
done
one "$HERE" sparse RSS_MP_GS-auto-again RSS_MP_GS precision=auto
one "$BEFORE" dense RSS_MP_GS-auto-again RSS_MP_GS precision=auto
git worktree remove --force "$BEFORE"
