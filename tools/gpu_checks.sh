#!/bin/bash
# The measurements that need a GPU, as one script, so that an hour on a borrowed GPU goes to measuring.
#
#   tools/gpu_checks.sh pack    on any machine with this project installed: gpu-kit/ (git-ignored) gets an fp16 copy of
#                               the bundled weights (a run reads them back as fp32), the CS224N data from $MINIBERT_DATA
#                               and a fastcore wheel; about 55 MB, small enough to copy with the repository
#   tools/gpu_checks.sh run     on the GPU machine, from the repository root, gpu-kit/ copied into it, OUT set to a
#                               folder for the results; the parts run cheapest first and each writes under $OUT at once
#                               (the log, three JSON files and one archive), so what finished is there if time runs out
#
# The parts of `run`, in order:
#   1. the packed files, torch, transformers and the GPU are there (else exit 2 before anything runs)
#   2. bench's compile part at 32×64 in bf16: our training step compiled, against transformers' eager step
#   3. RSS_MP_GS under the gpu preset, eager and then compiled with lengths padded to multiples of 32, one after the
#      other on the same machine: the compiled run's minutes against the eager run's
#   4. Table 2 × seeds 1 2 3 under the gpu preset, $JOBS runs sharing the GPU, for $TABLE_S seconds; runs that finished
#      are kept in $RESULTS (default results/gpu-table2; ablate skips them next time, so with that folder kept the
#      next sitting goes on where this one stopped). $OUT/gpu-table2.tar.gz holds the folder
# What comes back goes into results/gpu-compile/ (the three JSON files) and results/gpu-table2/ (the archive), where the
# results page reads it (nbs/results.ipynb, "Compiled training and Table 2 over three seeds on a GPU").
# On a CPU the same parts check the script's plumbing in about 5 minutes on two cores (tests/test_gpu_checks.py runs
# a smaller one, with RUNS, the runs' own folders, under its temporary folder instead of /tmp/gpu-runs):
#   OUT=/tmp/gpu-out RESULTS=/tmp/gpu-table2 DEVICE=cpu PRESET=smoke REPEATS=2 JOBS=2 TABLE_S=150 \
#     METHODS="RSS_MP RSS_MP_GS" tools/gpu_checks.sh run
set -uo pipefail
KIT=gpu-kit W=gpu-kit/weights D=gpu-kit/data
case "${1:-}" in
pack)
  set -e
  src=$(python -c "from minibert_nb.paths import default_model_dir; print(default_model_dir())")
  mkdir -p "$W" "$D" "$KIT/wheels"
  cp "$src"/config.json "$src"/vocab.txt "$src"/tokenizer_config.json "$src"/special_tokens_map.json "$W"/
  python - "$src/model.safetensors" "$W/model.safetensors" <<'EOF'
import sys
from safetensors.torch import load_file, save_file
save_file({k: v.half() if v.is_floating_point() else v for k, v in load_file(sys.argv[1]).items()}, sys.argv[2],
          metadata={"format": "pt"})
EOF
  cp "${MINIBERT_DATA:?set MINIBERT_DATA to the CS224N data folder}"/*.csv "$D"/
  fc=$(python -c 'import fastcore; print(fastcore.__version__)')
  python -m pip download -q --no-deps --only-binary=:all: -d "$KIT/wheels" "fastcore==$fc" ||
    echo "pack: no fastcore $fc wheel (no package index?); the GPU machine must then have fastcore installed"
  du -sh "$KIT" ;;
run)
  : "${OUT:?OUT is the folder whose files come back}"
  mkdir -p "$OUT" || exit 2
  DEVICE=${DEVICE:-cuda} PRESET=${PRESET:-gpu} REPEATS=${REPEATS:-30} JOBS=${JOBS:-8} TABLE_S=${TABLE_S:-240}
  RESULTS=${RESULTS:-results/gpu-table2} RUNS=${RUNS:-/tmp/gpu-runs}          # RUNS: the runs' own folders
  export PYTHONUNBUFFERED=1
  log=$OUT/gpu_checks.log
  for f in "$W"/config.json "$W"/vocab.txt "$W"/model.safetensors "$D"/ids-sst-train.csv "$D"/sts-train.csv "$D"/quora-dev.csv; do
    [ -s "$f" ] || { echo "missing $f: run 'tools/gpu_checks.sh pack' and copy gpu-kit/ into the repository" | tee "$log"; exit 2; }
  done
  if ls "$KIT"/wheels/*.whl > /dev/null 2>&1 && ! python -c "import fastcore" 2> /dev/null; then
    python -m pip install -q --no-index --no-deps --no-cache-dir --target /tmp/site "$KIT"/wheels/*.whl || exit 2
    export PYTHONPATH=/tmp/site
  fi
  export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}                  # this checkout's package, not an installed one
  python -c "import torch, minibert_nb, transformers; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
torch.cuda.get_device_name() if torch.cuda.is_available() else '')" 2>&1 | tee "$log" || exit 2
  [ "$DEVICE" = cpu ] || python -c "import torch; assert torch.cuda.is_available()" || exit 2
  part() { echo "== $1 ($(date +%T))" | tee -a "$log"; }
  part "compile bench"
  python -m minibert_nb.bench --model-dir "$W" --data-dir "$D" --device "$DEVICE" --precision bf16 --repeats "$REPEATS" \
      --only compile --json "$OUT/bench-compile.json" 2>&1 | tee -a "$log"
  for c in false true; do
    part "RSS_MP_GS, compile=$c"
    pad=$([ $c = true ] && echo 32 || echo 1)
    python -m minibert_nb.train RSS_MP_GS --preset "$PRESET" --quiet --set model_dir="$W" data_dir="$D" device="$DEVICE" \
        compile=$c pad_multiple=$pad out_dir="$RUNS/gs-compile-$c" 2>&1 | tee -a "$log"
    cp "$RUNS/gs-compile-$c/metrics.json" "$OUT/gs-compile-$c.json"
  done
  part "Table 2 × 3 seeds, $JOBS at a time, for ${TABLE_S} s"
  # shellcheck disable=SC2086
  timeout --kill-after=10 "$TABLE_S" python -m minibert_nb.ablate --preset "$PRESET" --seeds 1 2 3 --jobs "$JOBS" --direct \
      ${METHODS:+--methods $METHODS} --model-dir "$W" --data-dir "$D" --results-dir "$RESULTS" \
      --runs-dir "$RUNS/table2" --set device="$DEVICE" 2>&1 | tail -n 40 | tee -a "$log"
  python -m minibert_nb.ablate --collect --results-dir "$RESULTS" 2>&1 | tee -a "$log"
  tar czf "$OUT/gpu-table2.tar.gz" -C "$(dirname "$RESULTS")" "$(basename "$RESULTS")"
  part "done" ;;
*) sed -n '2,24p' "$0"; exit 1 ;;
esac
