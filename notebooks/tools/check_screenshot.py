#!/usr/bin/env python3
"""Fails when a screenshot is blank or nearly uniform: checks its pixels, not just the file.

    check_screenshot.py PAGE.png [MIN_FRACTION] [MIN_COLOURS]

The background is the most common colour. The check fails if fewer than MIN_FRACTION of the
pixels (default 0.01) differ from it, or if the image has fewer than MIN_COLOURS distinct
colours (default 8: text is anti-aliased, so a page with content has many). On success it
prints the non-background fraction, e.g. `3.4%`. Needs PIL (Debian: python3-pil).
"""
import sys

from PIL import Image


def main(path, min_fraction=0.01, min_colours=8):
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    width, height = rgb.size
    total = width * height
    colours = rgb.getcolors(maxcolors=total)  # [(count, (r, g, b)), ...]
    background_count, background = max(colours)
    fraction = 1 - background_count / total
    problems = []
    if fraction < min_fraction:
        problems.append(f"only {fraction:.3%} of the pixels differ from the background "
                        f"{background} (need {min_fraction:.1%})")
    if len(colours) < min_colours:
        problems.append(f"only {len(colours)} distinct colours (need {min_colours})")
    for problem in problems:
        print(f"{path} ({width}x{height}): {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{fraction:.1%}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3, 4):
        sys.exit(__doc__)
    args = sys.argv[1:]
    sys.exit(main(args[0], *(float(a) for a in args[1:2]), *(int(a) for a in args[2:3])))
