"""Writes Tests/TaskEvaluationTests/Fixtures/{python_random,lm_eval_requests}.json.

python_random.json: CPython's random.Random outputs (getrandbits(32), sample(range(n), k)) that
PythonRandom.swift must reproduce bit for bit.
lm_eval_requests.json: the (context, continuation) requests lm-eval 0.4 itself builds for
Fixtures/tiny_task.jsonl at 0 and 3 shots with its default (random, seed 1234) and first_n
samplers, captured by a stand-in LM inside simple_evaluate, with the acc / acc_norm it computes
from the stand-in's log-likelihoods (-len(continuation) / 7 - 0.01 * index-of-request-in-doc).

Run: HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 /work/venv/bin/python reference/make_task_fixtures.py
"""
import json
import os
import random
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "TaskEvaluationTests", "Fixtures")


def python_random():
    out = {"bits": {}, "samples": []}
    for seed in [1234, 0, 42, 2**40 + 3]:
        r = random.Random(seed)
        out["bits"][str(seed)] = [r.getrandbits(32) for _ in range(8)]
    r = random.Random(1234)
    for n, k in [(10, 3), (10, 4), (12, 6), (30, 6), (100, 6), (200, 26), (1000, 50), (5, 5), (7, 0)]:
        out["samples"].append({"n": n, "k": k, "result": r.sample(range(n), k)})
    return out


def lm_eval_requests():
    import lm_eval
    from lm_eval.api.model import LM
    from lm_eval.tasks import TaskManager

    class Recorder(LM):
        def loglikelihood(self, requests, disable_tqdm=False):
            res = []
            for req in requests:
                ctx, cont = req.args
                res.append((-len(cont) / 7 - 0.01 * req.idx, False))
            return res

        def loglikelihood_rolling(self, requests, disable_tqdm=False):
            raise NotImplementedError

        def generate_until(self, requests, disable_tqdm=False):
            raise NotImplementedError

    task_file = os.path.abspath(os.path.join(FIXTURES, "tiny_task.jsonl"))
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for sampler in ["default", "first_n"]:
            name = f"tiny_{sampler}"
            with open(os.path.join(tmp, name + ".yaml"), "w") as f:
                f.write(f"""task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {task_file}
test_split: test
fewshot_split: test
output_type: multiple_choice
doc_to_text: context
doc_to_choice: choices
doc_to_target: label
fewshot_config:
  sampler: {sampler}
metric_list:
  - metric: acc
  - metric: acc_norm
""")
        manager = TaskManager(include_path=tmp)
        for sampler in ["default", "first_n"]:
            for shots in [0, 3]:
                out = lm_eval.simple_evaluate(model=Recorder(), tasks=[f"tiny_{sampler}"], num_fewshot=shots,
                                              task_manager=manager, log_samples=True, fewshot_random_seed=1234)
                name = f"tiny_{sampler}"
                samples = sorted(out["samples"][name], key=lambda s: s["doc_id"])
                runs.append({
                    "sampler": "random" if sampler == "default" else "first_n", "shots": shots,
                    "requests": [[list(a) for a in x["arguments"]] for x in samples],
                    "acc": out["results"][name]["acc,none"], "acc_stderr": out["results"][name]["acc_stderr,none"],
                    "acc_norm": out["results"][name]["acc_norm,none"], "acc_norm_stderr": out["results"][name]["acc_norm_stderr,none"],
                })
    return runs


if __name__ == "__main__":
    with open(os.path.join(FIXTURES, "python_random.json"), "w") as f:
        json.dump(python_random(), f, indent=1)
    with open(os.path.join(FIXTURES, "lm_eval_requests.json"), "w") as f:
        json.dump(lm_eval_requests(), f, indent=1, ensure_ascii=False)
