#!/usr/bin/env python3
"""Builds the example fine-tuning datasets in data/finetune/ from the bundled corpus
(data/shakespeare/*.txt). Python standard library only; deterministic (fixed seed).

    python3 data/finetune/make_datasets.py            # rewrites the four .jsonl files

Datasets (JSONL, one object per line):

  genre_train.jsonl / genre_val.jsonl        {"text", "label"}: which kind of play a speech
      comes from: comedy, history or tragedy (First Folio grouping; problem plays and romances
      whose grouping is disputed are left out). A speech is a speaker's turn, first 4 lines.
      Balanced: the same number of records per label in each split.
  form_train.jsonl / form_val.jsonl          {"text", "label"}: is a speech in verse or in prose?
      Label by layout: verse when every line starts with a capital letter and none is longer
      than 60 characters; prose when its first two lines are over 60 characters and a line
      after the first starts in lower case (a prose sentence wrapped); other speeches are left
      out. First 3 lines, all plays above. Balanced. (An easier task than genre: gpt-tiny learns it
      in seconds, so the tests use it.)
  instruct_train.jsonl / instruct_val.jsonl  {"instruction", "input", "output"}: two tasks,
      "Who speaks this line in <play>?" (output: the speaker's name) and
      "Continue this speech from <play>." (input: one line, output: the next line).

Held-out split: by scene. Every scene of every play is assigned to validation or training
(1 in 5 scenes, chosen by a hash of play and scene number), so no line of a validation record
occurs in a training record's scene; lines repeated verbatim elsewhere in the corpus are also
removed from validation. For "who speaks", validation keeps only speakers who also speak in
training scenes (a name never seen in training cannot be learned).

Only plays whose speaker headings are full upper-case names on their own line ("MACBETH.")
are used: the five plays with abbreviated headings (Hamlet, King Lear, A Midsummer Night's
Dream, Romeo and Juliet, Cymbeline) and the poems are skipped.
"""
import hashlib
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "shakespeare")

GENRES = {
    "comedy": ["alls_well_that_ends_well", "as_you_like_it", "comedy_of_errors", "loves_labours_lost",
               "measure_for_measure", "merchant_of_venice", "merry_wives_of_windsor", "much_ado_about_nothing",
               "taming_of_the_shrew", "tempest", "twelfth_night", "two_gentlemen_of_verona"],
    "history": ["henry_iv_part_1", "henry_iv_part_2", "henry_v", "henry_vi_part_1", "henry_vi_part_2",
                "henry_vi_part_3", "henry_viii", "king_john", "richard_ii", "richard_iii"],
    "tragedy": ["antony_and_cleopatra", "coriolanus", "julius_caesar", "macbeth", "othello",
                "timon_of_athens", "titus_andronicus"],
}
# Plays used for the instructions (any genre, headings in full capitals).
EXTRA = ["pericles", "troilus_and_cressida", "winters_tale"]

SPEAKER = re.compile(r"^([A-Z][A-Z .'\-]+)\.$")
NOT_SPEAKERS = re.compile(r"^(ACT|SCENE|PERSONS|DRAMATIS|EPILOGUE|PROLOGUE|INDUCTION|THE END)")
GENRE_PER_LABEL = (600, 100)      # records per label: train, val
INSTRUCT_PER_TASK = (1000, 100)   # records per task: train, val
FORM_PER_LABEL = (400, 80)        # records per label: train, val
SEED = 1337


def titled(text):
    """Title case that keeps Roman numerals (Henry IV) and possessives (Lover's) right."""
    text = text.title().replace("'S", "'s")
    return re.sub(r"\b([IVX][ivx]*)\b", lambda m: m.group(1).upper(), text)


def title(name):
    text = open(os.path.join(CORPUS, name + ".txt"), encoding="utf-8").read()
    return titled(text.strip().split("\n", 1)[0].strip())


def speeches(name):
    """(scene number, speaker, [lines]) for every speech of a play."""
    out, scene, speaker, lines = [], 0, None, []
    for raw in open(os.path.join(CORPUS, name + ".txt"), encoding="utf-8"):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.upper().startswith("SCENE") or stripped.upper().startswith("ACT "):
            if speaker and lines:
                out.append((scene, speaker, lines))
            speaker, lines = None, []
            if stripped.upper().startswith("SCENE"):
                scene += 1
            continue
        m = SPEAKER.match(stripped)
        if m and not NOT_SPEAKERS.match(stripped):
            if speaker and lines:
                out.append((scene, speaker, lines))
            speaker, lines = m.group(1).strip(), []
            continue
        if not stripped:
            if speaker and lines:
                out.append((scene, speaker, lines))
            speaker, lines = None, []
            continue
        if speaker and not stripped.startswith("["):
            lines.append(re.sub(r"\s*\[.*?\]\s*", " ", stripped).strip())
    if speaker and lines:
        out.append((scene, speaker, lines))
    return [(s, p, [l for l in ls if l]) for s, p, ls in out if any(ls)]


def is_val(play, scene):
    return hashlib.sha256(f"{play}/{scene}".encode()).digest()[0] % 5 == 0


def write(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{os.path.relpath(path)}: {len(records)} records")


def main():
    rng = random.Random(SEED)
    plays = {p: speeches(p) for ps in GENRES.values() for p in ps} | {p: speeches(p) for p in EXTRA}
    train_lines = {l for p, sp in plays.items() for s, _, ls in sp if not is_val(p, s) for l in ls}

    # Genre classification.
    genre = ([], [])
    for label, names in sorted(GENRES.items()):
        pools = ([], [])
        for p in names:
            for s, _, ls in plays[p]:
                text = "\n".join(ls[:4])
                if len(ls) < 2 or len(text) > 400:
                    continue
                if is_val(p, s):
                    if not any(l in train_lines for l in ls[:4]):
                        pools[1].append({"text": text, "label": label})
                else:
                    pools[0].append({"text": text, "label": label})
        for split, n in enumerate(GENRE_PER_LABEL):
            rng.shuffle(pools[split])
            assert len(pools[split]) >= n, (label, split, len(pools[split]))
            genre[split].extend(pools[split][:n])
    for split in genre:
        rng.shuffle(split)

    # Verse or prose.
    form = ([], [])
    pools = {"verse": ([], []), "prose": ([], [])}
    for p in sorted(plays):
        for s, _, ls in plays[p]:
            if len(ls) < 3:
                continue
            ls = ls[:3]
            split = 1 if is_val(p, s) else 0
            if split == 1 and any(l in train_lines for l in ls):
                continue
            if all(l[0].isupper() for l in ls) and all(len(l) <= 60 for l in ls):
                pools["verse"][split].append({"text": "\n".join(ls), "label": "verse"})
            elif len(ls[0]) > 60 and len(ls[1]) > 60 and any(l[0].islower() for l in ls[1:]):
                pools["prose"][split].append({"text": "\n".join(ls), "label": "prose"})
    for label in ("prose", "verse"):
        for split, n in enumerate(FORM_PER_LABEL):
            rng.shuffle(pools[label][split])
            assert len(pools[label][split]) >= n, (label, split, len(pools[label][split]))
            form[split].extend(pools[label][split][:n])
    for split in form:
        rng.shuffle(split)

    # Instructions.
    speakers_in_train = {(p, sp) for p, sps in plays.items() for s, sp, _ in sps if not is_val(p, s)}
    who, cont = ([], []), ([], [])
    for p in sorted(plays):
        name = title(p)
        for s, speaker, ls in plays[p]:
            split = 1 if is_val(p, s) else 0
            line = ls[0]
            if 20 <= len(line) <= 120 and (split == 0 or ((p, speaker) in speakers_in_train and line not in train_lines)):
                who[split].append({"instruction": f"Who speaks this line in {name}?", "input": line,
                                   "output": titled(speaker)})
            for a, b in zip(ls, ls[1:]):
                if 20 <= len(a) <= 120 and 10 <= len(b) <= 120 and (split == 0 or (a not in train_lines and b not in train_lines)):
                    cont[split].append({"instruction": f"Continue this speech from {name}.", "input": a, "output": b})
    instruct = ([], [])
    for split, n in enumerate(INSTRUCT_PER_TASK):
        for pool in (who[split], cont[split]):
            rng.shuffle(pool)
            assert len(pool) >= n
            instruct[split].extend(pool[:n])
        rng.shuffle(instruct[split])

    write(os.path.join(HERE, "genre_train.jsonl"), genre[0])
    write(os.path.join(HERE, "genre_val.jsonl"), genre[1])
    write(os.path.join(HERE, "form_train.jsonl"), form[0])
    write(os.path.join(HERE, "form_val.jsonl"), form[1])
    write(os.path.join(HERE, "instruct_train.jsonl"), instruct[0])
    write(os.path.join(HERE, "instruct_val.jsonl"), instruct[1])


if __name__ == "__main__":
    main()
