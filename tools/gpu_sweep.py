"""Issue 7 exploration: methods at the cpu preset's budget (3 x 100 steps) on a lent GPU, one JSON line per run.

Usage (repository root, on the GPU machine): PYTHONPATH=. python tools/gpu_sweep.py M1,M2,... [M:key=val,key=val ...]
e.g.  PYTHONPATH=. python tools/gpu_sweep.py RSS_MP_CS,RSS_MP_FX_CS_PAL RSS_MP_FX_CS_PAL:epochs=6
It reads the data from .gpu/data (a copy of the CS224N folder) and the encoder from .gpu/model: the bundled
all-MiniLM-L6-v2 folder with its weights rounded to float16 to fit the device tool's 64 MiB transfer limit, made with
  from safetensors.torch import load_file, save_file
  save_file({k: v.half() for k, v in load_file(src/"model.safetensors").items()}, ".gpu/model/model.safetensors")
plus config.json, vocab.txt and tokenizer_config.json copied alongside (BertModel.from_pretrained casts back to float32).
Results of the runs made for issue 7: results/cpu-preset-h200/sweep.jsonl and table.md.
"""
import json, os, sys, time, traceback
from minibert_nb.train import run
out = os.environ.get("OUT", "/tmp")
runs = [(m, {}) for m in sys.argv[1].split(",") if m]
for extra in sys.argv[2:]:                      # METHOD:key=val,key=val
    m, kv = extra.split(":")
    runs.append((m, {k: (float(v) if any(c in v for c in ".e") else int(v)) for k, v in (x.split("=") for x in kv.split(","))}))
for m, kw in runs:
    t = time.time()
    try:
        r = run(m, "cpu", out_dir=f"/tmp/sweep/{m}-{len(kw)}", model_dir=".gpu/model", data_dir=".gpu/data", overwrite=True, progress=False, **kw)
        row = {"method": m, **kw, **{k: round(v, 4) for k, v in r["best"].items()}, "hist": [round(h["overall"], 4) for h in r["history"]], "s": round(time.time() - t, 1)}
    except Exception as e:
        row = {"method": m, **kw, "error": repr(e), "tb": traceback.format_exc()[-800:]}
    print(json.dumps(row), flush=True)
    with open(f"{out}/sweep.jsonl", "a") as f: f.write(json.dumps(row) + "\n")
