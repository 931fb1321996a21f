"""Tiny CS224N data folders written on the spot, for the tests that need a file of a given size and nothing more."""
from pathlib import Path
from minibert_nb.tasks import SCORED, TASKS


def write_task_files(d: Path, task: str, rows: dict[str, int]):
    "`task`'s files in folder `d` (Quora: dev alone, as here), `rows[part]` well-formed rows each, ids unique."
    t = TASKS[task]
    for part, name, labelled in zip(("train", "dev", "test"), t.files, (True, True, False)):
        if t.split_dev and part == "train": continue
        head = "\t".join(["", "id", *t.columns] + ([t.label] if labelled else []))
        body = ["\t".join([str(i), f"{part}{i}", *["some words"] * len(t.columns)] + (["1"] if labelled else []))
                for i in range(rows[part])]
        (d / name).write_text("\n".join([head, *body]) + "\n")


def default_rows(task: str) -> dict[str, int]:
    "Enough rows for a run: 3 a file, and 12 in Quora's dev file, whose split by id then leaves both sides some."
    return {"train": 3, "dev": 12 if TASKS[task].split_dev else 3, "test": 3}


def write_folder(d: Path, rows: dict[str, int] | None = None) -> Path:
    "A CS224N folder of the three tasks, `default_rows` in every file but those `rows` names (file name: rows)."
    d.mkdir(parents=True, exist_ok=True)
    for task in SCORED:
        parts = dict(zip(("train", "dev", "test"), TASKS[task].files))
        write_task_files(d, task, default_rows(task) | {p: rows[f] for p, f in parts.items() if f in (rows or {})})
    return d
