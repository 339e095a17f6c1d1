"""Prints the side-by-side table of launch/bench-compare.sh from the JSON lines it collected.

Usage: python reference/compare_table.py DIR
DIR holds NAME.RANKS.trainer.json (`trainer bench --json`) and NAME.RANKS.pytorch.json
(reference/bench_pytorch.py --json) for each model NAME and rank count RANKS. Standard library only.
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def main():
    folder = sys.argv[1]
    runs = {}
    for name in sorted(os.listdir(folder)):
        parts = name.split(".")
        if len(parts) == 4 and parts[3] == "json":
            runs.setdefault((parts[0], int(parts[1])), {})[parts[2]] = load(os.path.join(folder, name))
    first = next((r["trainer"] for r in runs.values() if r.get("trainer")), None)
    if first is None:
        sys.exit("compare_table: no trainer results in " + folder)
    torch_version = next((r["pytorch"]["framework"] for r in runs.values() if r.get("pytorch")), "PyTorch (no result)")
    print(f"CPU: {first['cpu']}; OpenBLAS core {first['openblas_core']}; {torch_version}")
    print()
    print("| model | layout | sgemm 2048³ (all ranks) | trainer tokens/s | trainer MFU | step ms = compute + straggler wait "
          "+ exposed transfer + optimizer + other | peak memory ÷ estimate | PyTorch tokens/s | PyTorch MFU | trainer ÷ PyTorch's best |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    verdicts, summaries = [], []
    best_mfu = {}
    for model in sorted({m for m, _ in runs}, key=lambda m: (m != "gpt-small", m)):
        layouts = sorted((r for m, r in runs if m == model), reverse=True)
        torch_best = max((runs[(model, r)]["pytorch"]["tokens_per_s"] for r in layouts if runs[(model, r)].get("pytorch")), default=None)
        best = None
        for ranks in layouts:
            t, p = runs[(model, ranks)].get("trainer"), runs[(model, ranks)].get("pytorch")
            if t is None:
                print(f"| {model} | {ranks} ranks | (trainer failed) | | | | | | | |")
                continue
            ms = t["ms_per_step"]
            layout = f"{t['ranks']} × {t['blas_threads']}"
            split = (f"{ms['total']:.0f} = {ms['compute']:.0f} + {ms['straggler_wait']:.0f} + {ms['exposed_transfer']:.0f} "
                     f"+ {ms['optimizer']:.0f} + {ms['other']:.0f}")
            memory = f"{t['peak_rss_bytes'] / 2**20:.0f} ÷ {t['memory_estimate_bytes'] / 2**20:.0f} MiB"
            torch_tps = f"{p['tokens_per_s']:.1f}" if p else "(failed)"
            torch_mfu = f"{100 * p['mfu']:.1f}%" if p and "mfu" in p else ""
            ratio = f"{t['tokens_per_s'] / torch_best:.2f}×" if torch_best else ""
            print(f"| {model} | {layout} | {t['sgemm_gflops_2048_all_ranks']:.1f} GFLOP/s | {t['tokens_per_s']:.1f} | "
                  f"{100 * t['mfu']:.1f}% | {split} | {memory} | {torch_tps} | {torch_mfu} | {ratio} |")
            if best is None or t["tokens_per_s"] > best["tokens_per_s"]:
                best = t
            if t["ranks"] > 1:
                share = 100 * ms["exposed_transfer"] / ms["total"]
                verdicts.append(f"{model} at {layout}: exposed transfer {share:.1f}% of the step (goal ≤ 3%), "
                                f"straggler wait {ms['straggler_wait']:.0f} ms, compute per rank "
                                + ", ".join(f"{c:.0f}" for c in t["compute_ms_per_rank"]) + " ms")
        if best:
            best_mfu[model] = best["mfu"]
            line = f"{model}: best layout {best['ranks']} × {best['blas_threads']}, MFU {100 * best['mfu']:.1f}%"
            if model in MFU_GOALS:
                line += f" (goal ≥ {100 * MFU_GOALS[model]:.0f}%)"
            elif model == "llama-small" and "gpt-small" in best_mfu:
                gap = 100 * (best_mfu["gpt-small"] - best["mfu"])
                line += f", {abs(gap):.1f} points {'below' if gap > 0 else 'above'} gpt-small's (goal: at most 5 below)"
            if torch_best:
                line += f", {best['tokens_per_s'] / torch_best:.2f}× PyTorch's best layout (goal ≥ {RATIO_GOAL}×)"
                torch_mfu = max((runs[(model, r)]["pytorch"].get("mfu", 0) for r in layouts if runs[(model, r)].get("pytorch")),
                                default=0)
                if torch_mfu:
                    # The ratio is an MFU ratio (same FLOPs per token), so the goal needs this trainer MFU.
                    line += f"; PyTorch's best MFU {100 * torch_mfu:.1f}%, so {RATIO_GOAL}× needs an MFU of about {100 * RATIO_GOAL * torch_mfu:.1f}%"
            summaries.append(line)
    print()
    for v in summaries + verdicts:
        print(v)


# The Performance III goals: MFU of the best layout, and trainer ÷ PyTorch (best layouts of each).
MFU_GOALS = {"gpt-small": 0.85, "gpt2-124m": 0.90}
RATIO_GOAL = 1.4


if __name__ == "__main__":
    main()
