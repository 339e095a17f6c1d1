"""Builds the bundled multiple-choice tasks from the held-out end of the Shakespeare corpus.

Only held-out text is used: the data pipeline (Sources/Data/ShardLayout.swift) sends the last
round(tokens x val_fraction) tokens of each play to validation, with val_fraction 0.1 in
configs/gpt-small.json. Tokens are not bytes, so this script keeps a margin and reads only the
speeches that start after 92% of each file's bytes (HELD_OUT_START), well inside the last 10%.

Writes, each with ITEMS items in the {"context", "choices", "label"} layout:
  shakespeare_next_line.jsonl  a line of a speech; the true next line among four (HellaSwag-like)
  shakespeare_play.jsonl       two lines of a speech; which play they are from, among four
  shakespeare_speaker.jsonl    a line; who speaks it, among four speakers of the same play
Plain Python 3, no packages; deterministic (random.Random(SEED)). Run: python3 data/tasks/make_tasks.py
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "shakespeare")
HELD_OUT_START = 0.92
ITEMS = 300
SEED = 2026


def speeches(path):
    """(speaker, [lines]) for every speech starting after HELD_OUT_START of the file's bytes."""
    data = open(path, encoding="utf-8").read()
    start = int(len(data.encode("utf-8")) * HELD_OUT_START)
    text = data.encode("utf-8")[start:].decode("utf-8", errors="ignore")
    blocks = text.split("\n\n")[1:]  # the first block may start mid-speech
    out = []
    for block in blocks:
        lines = [l.strip() for l in block.strip().split("\n") if l.strip() and not l.strip().startswith("[")]
        if len(lines) < 2 or not lines[0].endswith(".") or len(lines[0]) > 30 or " " in lines[0].rstrip(".").strip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
            continue
        speaker = lines[0].rstrip(".")
        body = [l for l in lines[1:] if 8 <= len(l) <= 60]
        if body:
            out.append((speaker, body))
    return out


def title(name):
    return " ".join(w.capitalize() for w in name.split("_"))


def choice_item(rng, context, right, wrong_pool):
    wrong = rng.sample(sorted(set(wrong_pool) - {right}), 3)
    choices = wrong + [right]
    rng.shuffle(choices)
    return {"context": context, "choices": choices, "label": choices.index(right)}


def main():
    rng = random.Random(SEED)
    plays = {}
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith(".txt"):
            plays[title(name[:-4])] = speeches(os.path.join(CORPUS, name))
    titles = sorted(p for p in plays if plays[p])
    all_lines = sorted({l for p in titles for _, body in plays[p] for l in body})
    pairs = [(p, s, body) for p in titles for s, body in plays[p]]

    next_line = []
    candidates = [(body[i], body[i + 1]) for _, _, body in pairs for i in range(len(body) - 1)]
    for context, right in rng.sample(candidates, ITEMS):
        next_line.append(choice_item(rng, context, right, all_lines))

    play = []
    long_speeches = [(p, body) for p, _, body in pairs if len(body) >= 2]
    for p, body in rng.sample(long_speeches, ITEMS):
        i = rng.randrange(len(body) - 1)
        play.append(choice_item(rng, body[i] + "\n" + body[i + 1] + "\nPlay:", p, titles))

    speaker = []
    cast = {p: sorted({s for s, _ in plays[p]}) for p in titles}
    with_cast = [(p, s, body) for p, s, body in pairs if len(cast[p]) >= 4]
    for p, s, body in rng.sample(with_cast, ITEMS):
        speaker.append(choice_item(rng, rng.choice(body) + "\nSpeaker:", s, cast[p]))

    for name, items in [("shakespeare_next_line", next_line), ("shakespeare_play", play), ("shakespeare_speaker", speaker)]:
        with open(os.path.join(HERE, name + ".jsonl"), "w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{name}: {len(items)} items")


if __name__ == "__main__":
    main()
