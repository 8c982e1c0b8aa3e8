#!/usr/bin/env python3
"""Cut a small, embeddable corpus of English sentences out of WordNet 3.0.

The source is Debian's ``wordnet-base`` package: ``/usr/share/wordnet/data.{noun,verb,adj,adv}``.
Each synset line ends in ``| gloss``; a gloss holds definitions and example sentences (the
examples in double quotes), separated by ``; ``. Every definition and every example becomes one
document. A synset is kept when the CRC-32 of ``POS:OFFSET`` is divisible by ``--every`` (a
deterministic, evenly spread sample), so the same input always gives a byte-identical file.

Output: JSON Lines, one ``{"id": "wn:POS:OFFSET:KIND", "text": "..."}`` per line, where KIND
is ``d1``, ``d2``, ... for definitions and ``e1``, ``e2``, ... for examples, in file order (noun,
verb, adj, adv). An example's attribution ("..."- Henry Miller) is left out. UTF-8, '\\n' endings, keys in that order, no spaces after separators.

Only the Python standard library is used.

Usage::

    python3 make_wordnet_subset.py OUTPUT.jsonl [--wordnet /usr/share/wordnet] [--every 10]
"""
import argparse
import json
import os
import re
import zlib

POS = [("noun", "n"), ("verb", "v"), ("adj", "a"), ("adv", "r")]


def documents(wordnet_dir, every):
    for name, tag in POS:
        with open(os.path.join(wordnet_dir, "data." + name), encoding="utf-8", errors="strict") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:
                    continue  # the licence header, or a synset without a gloss
                offset = line.split(" ", 1)[0]
                if zlib.crc32(f"{tag}:{offset}".encode("ascii")) % every != 0:
                    continue
                gloss = line.split(" | ", 1)[1].strip()
                definitions, examples = [], []
                for part in re.split(r';\s+(?=(?:[^"]*"[^"]*")*[^"]*$)', gloss):
                    part = part.strip().rstrip(";").strip()
                    if part.startswith('"') and part.count('"') >= 2:
                        # an example, sometimes with an attribution after it: "...world"- Henry Miller
                        examples.append(part[1:part.rindex('"')].strip())
                    elif part:
                        definitions.append(part)
                for i, text in enumerate(definitions, 1):
                    yield f"wn:{tag}:{offset}:d{i}", text
                for i, text in enumerate(examples, 1):
                    if text:
                        yield f"wn:{tag}:{offset}:e{i}", text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output")
    parser.add_argument("--wordnet", default="/usr/share/wordnet")
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    count = 0
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        for doc_id, text in documents(args.wordnet, args.every):
            out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    print(f"{args.output}: {count} documents, {os.path.getsize(args.output)} bytes")


if __name__ == "__main__":
    main()
