#!/bin/bash
# Three seeds of the best CPU recipe side by side on one thread each (the conditions of results/own-cpu), the heap
# released every H steps; each run is stopped after its first epoch. Prints one JSON line per run: the epoch's seconds
# (training and evaluation, from the run's log line), the process's user and kernel CPU seconds at that moment
# (/proc/PID/stat) and its dev score.  Usage: tools/shared_epoch.sh H SST_TREES [RUNS_DIR]   (MINIBERT_DATA set)
H=$1; T=$2; D=${3:-runs/shared-epoch}/h$H; E=14     # the recipe's epochs, as results/own-cpu ran them
rm -rf "$D"; mkdir -p "$D"; pids=()
for s in 1 2 3; do
  OMP_NUM_THREADS=1 python -m minibert_nb.train RSS_MP_FX_CS_PAL_THR_PHR_OWN1 --preset cpu --set epochs=$E seed=$s \
    precision=bf16 sst_trees="$T" heap_release_steps=$H out_dir="$D/seed$s" > "$D/log$s" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do
  s=$((i + 1)); p=${pids[$i]}
  until grep -aq "epoch 1/$E: sst" "$D/log$s"; do sleep 2; done
  read -r ut st < <(awk '{print $14 / 100, $15 / 100}' /proc/$p/stat)
  line=$(grep -a -o "epoch 1/$E: sst_acc[^(]*([0-9]* s)" "$D/log$s")
  sec=$(echo "$line" | grep -o "([0-9]* s)" | tr -dc 0-9); overall=$(echo "$line" | grep -o "overall [0-9.]*" | cut -d' ' -f2)
  echo "{\"heap_release_steps\": $H, \"seed\": $s, \"epoch_s\": $sec, \"utime_s\": $ut, \"stime_s\": $st, \"overall\": $overall}" > "$D/result$s"
done
kill "${pids[@]}"; wait 2>/dev/null
cat "$D"/result1 "$D"/result2 "$D"/result3
