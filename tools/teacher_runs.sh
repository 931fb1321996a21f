#!/bin/bash
# SST's teacher (09_train, sst_teacher): the teacher, SST trained alone with its phrases (seed 1, bf16, two threads),
# then the best CPU recipe taught by it, three seeds side by side on one thread each. Writes OUT/teacher and
# OUT/seedN (results/teacher-cpu holds their metrics.json).
# Usage: tools/teacher_runs.sh TREES [OUT]   (TREES: the treebank's trees/train.txt; from the repository root,
# MINIBERT_DATA set)
T=${1:?give the treebank file trees/train.txt}; OUT=$(realpath -m "${2:-runs/teacher}")
mkdir -p "$OUT"
python -m minibert_nb.train RSS_MP_FX_CS_PAL_THR_PHR --preset cpu --quiet --set epochs=14 seed=1 precision=bf16 \
    single_task=sst sst_trees="$T" out_dir="$OUT/teacher" > "$OUT/teacher.log" 2>&1 || exit 1
for s in 1 2 3; do
  OMP_NUM_THREADS=1 python -m minibert_nb.train RSS_MP_FX_CS_PAL_THR_PHR_OWN1 --preset cpu --quiet --set epochs=14 \
      seed=$s precision=bf16 sst_trees="$T" sst_teacher="$OUT/teacher/best.safetensors" out_dir="$OUT/seed$s" \
      > "$OUT/seed$s.log" 2>&1 &
done
wait
