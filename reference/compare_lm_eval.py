"""Writes reference/lm_eval_comparison.md: `trainer evaluate`'s figures beside lm-eval's, item by item.

Inputs: run_lm_eval.py's OUT.json, and for each shot count K our `--json` output and `--log-samples`
file: OURS_DIR/ours-K.json, OURS_DIR/samples-K.jsonl.
Usage: python3 reference/compare_lm_eval.py LMEVAL.json OURS_DIR CHECKPOINT_NAME > reference/lm_eval_comparison.md
"""
import json
import sys


def argmax(values):
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


def main():
    lm = json.load(open(sys.argv[1]))
    ours_dir, checkpoint = sys.argv[2], sys.argv[3]
    print(f"# trainer evaluate beside lm-evaluation-harness\n\nCheckpoint: {checkpoint}. lm-eval "
          "0.4.13, Hugging Face backend (`model=\"hf\"`, float32, batch 1, CPU), on the checkpoint directory as it is. "
          "Timings: AMD EPYC, 2 cores shared with other builds at the time, so indicative only; "
          "lm-eval's seconds include loading the model and building the requests, ours only scoring.\n")
    print("| task | shots | ours acc | lm-eval acc | ours acc_norm | lm-eval acc_norm | items where acc / acc_norm differ | max abs diff of a log-likelihood | ours items/s | lm-eval items/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for shots in sorted(lm, key=int):
        ours = json.load(open(f"{ours_dir}/ours-{shots}.json"))
        samples = [json.loads(l) for l in open(f"{ours_dir}/samples-{shots}.jsonl")]
        for t, task in enumerate(sorted(lm[shots]["results"])):
            mine = [s for s in samples if s["task"] == task]
            theirs = lm[shots]["samples"][task]
            r, o = lm[shots]["results"][task], ours["results"][task]
            differ, worst = 0, 0.0
            for s, th in zip(mine, theirs):
                lls = [x[0] for x in th]
                worst = max(worst, max(abs(a - b) for a, b in zip(s["loglikelihoods"], lls)))
                lens = [len(c) for c in s["choices"]]
                pa, pn = argmax(lls), argmax([l / n for l, n in zip(lls, lens)])
                qa, qn = argmax(s["loglikelihoods"]), argmax([l / n for l, n in zip(s["loglikelihoods"], lens)])
                if pa != qa or pn != qn:
                    differ += 1
                    notes.append(f"- {task}, {shots}-shot, doc {s['doc_id']}: ours {s['loglikelihoods']} vs lm-eval {lls}")
            rate = ours["config"]["items_per_second"][t]
            theirs_rate = len(theirs) / lm[shots]["seconds"][task]
            print(f"| {task} | {shots} | {o['acc,none']:.4f} | {r['acc,none']:.4f} | {o['acc_norm,none']:.4f} | {r['acc_norm,none']:.4f} "
                  f"| {differ} | {worst:.2e} | {rate:.1f} | {theirs_rate:.1f} |")
    print("\nStandard errors are lm-eval's `mean_stderr` on both sides (sample standard deviation / sqrt(n)).\n")
    print("## Items whose prediction differs\n")
    print("\n".join(notes) if notes else "None: every item's acc and acc_norm prediction is the same on both sides.")


if __name__ == "__main__":
    main()
