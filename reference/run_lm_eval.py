"""Runs lm-evaluation-harness (Hugging Face backend) on one of our checkpoint directories and the
bundled tasks, and writes lm-eval's results beside `trainer evaluate`'s for reference/lm_eval_comparison.md.

Each bundled task gets a task YAML (written into a temporary directory, with the task file's
absolute path): multiple_choice, doc_to_text context, doc_to_choice choices, doc_to_target label,
test split = few-shot split (so the item being scored is never its own example), acc and acc_norm.

Usage: HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 /work/venv/bin/python reference/run_lm_eval.py \
           CHECKPOINT_DIR OUT.json [--shots 0 5] [--threads 2]
OUT.json: {"<shots>": {"results": lm-eval's results, "seconds": {...}, "samples": {task: [[ll, greedy]...]}}}
"""
import argparse
import glob
import json
import os
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = sorted(glob.glob(os.path.join(HERE, "..", "data", "tasks", "*.jsonl")))

YAML = """task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {path}
test_split: test
fewshot_split: test
output_type: multiple_choice
doc_to_text: context
doc_to_choice: choices
doc_to_target: label
metric_list:
  - metric: acc
  - metric: acc_norm
"""


def pair(response):
    """(log-likelihood, is_greedy) from one logged response, however deeply lm-eval nests it."""
    while isinstance(response[0], (list, tuple)):
        response = response[0]
    return [float(response[0]), str(response[1]) == "True"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoint")
    parser.add_argument("out")
    parser.add_argument("--shots", type=int, nargs="+", default=[0, 5])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    import lm_eval
    from lm_eval.tasks import TaskManager

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for path in TASKS:
            name = os.path.basename(path)[:-6]
            names.append(name)
            with open(os.path.join(tmp, name + ".yaml"), "w") as f:
                f.write(YAML.format(name=name, path=os.path.abspath(path)))
        manager = TaskManager(include_path=tmp)
        for shots in args.shots:
            entry = {"results": {}, "seconds": {}, "samples": {}}
            for name in names:
                started = time.time()
                result = lm_eval.simple_evaluate(
                    model="hf", model_args=f"pretrained={os.path.abspath(args.checkpoint)},dtype=float32",
                    tasks=[name], num_fewshot=shots, batch_size=1, device="cpu", task_manager=manager,
                    log_samples=True, fewshot_random_seed=1234)
                entry["seconds"][name] = time.time() - started
                entry["results"][name] = result["results"][name]
                samples = sorted(result["samples"][name], key=lambda s: s["doc_id"])
                entry["samples"][name] = [[pair(x) for x in s["resps"]] for s in samples]
            out[str(shots)] = entry
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
