#!/usr/bin/env python3
"""Summarises the `saekit bench` runs of dev/perf/scaling: a Markdown table (medians over the runs of
each configuration, with the spread of the step time) and an SVG plot of the step time and of the
step without the encoder's dense product, against the number of concepts.

  scaling_report.py RUNS.jsonl TABLE.md PLOT.svg
"""
import json
import statistics
import sys
from collections import defaultdict

runs_file, table_file, plot_file = sys.argv[1:4]
groups = defaultdict(list)
for line in open(runs_file):
    line = line.strip()
    if line.startswith("{"):
        d = json.loads(line)
        groups[(d["concepts"], d["k"])].append(d)

rows = []
for (concepts, k), runs in sorted(groups.items()):
    med = lambda f: statistics.median(f(r) for r in runs)
    step = [r["median_s_per_step"] for r in runs]
    rows.append({
        "concepts": concepts, "k": k, "runs": len(runs),
        "step": statistics.median(step), "step_min": min(step), "step_max": max(step),
        "product": med(lambda r: r["encoder_gemm_s"]),
        "rest": med(lambda r: r["median_s_per_step"] - r["encoder_gemm_s"]),
        "forward": med(lambda r: r["phase_s_per_step"]["forward"]),
        "backward": med(lambda r: r["phase_s_per_step"]["backward"]),
        "update": med(lambda r: r["phase_s_per_step"]["update"] + r["phase_s_per_step"]["clip"]),
        "rss": med(lambda r: r["peak_rss_mb"]),
        "samples": med(lambda r: r["samples_per_s"]),
    })

with open(table_file, "w") as t:
    t.write("| concepts | k | runs | s/step, median (min-max) | samples/s | encoder product alone, s | step without it, s "
            "| forward, s | backward, s | clip + Adam, s | peak RSS, MiB |\n")
    t.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        t.write(f"| {r['concepts']:,} | {r['k']} | {r['runs']} | {r['step']:.3f} ({r['step_min']:.3f}-{r['step_max']:.3f}) "
                f"| {r['samples']:,.0f} | {r['product']:.3f} | {r['rest']:.3f} | {r['forward']:.3f} | {r['backward']:.3f} "
                f"| {r['update']:.3f} | {r['rss']:,.0f} |\n")

# the plot: log2 concepts on x, seconds on a log scale on y
W, H, L, R, T, B = 720, 400, 70, 200, 30, 50
xs = sorted({r["concepts"] for r in rows})
import math
ys = [v for r in rows for v in (r["step"], r["rest"], r["product"]) if v > 0]
lo, hi = math.log10(min(ys)) - 0.1, math.log10(max(ys)) + 0.1
xlo, xhi = math.log2(xs[0]) - 0.3, math.log2(xs[-1]) + 0.3
px = lambda c: L + (math.log2(c) - xlo) / (xhi - xlo) * (W - L - R)
py = lambda s: T + (hi - math.log10(s)) / (hi - lo) * (H - T - B)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>',
       f'<text x="{(L+W-R)/2}" y="{H-12}" text-anchor="middle">concepts (input 768, batch 1,024, TopK)</text>',
       f'<text x="16" y="{(T+H-B)/2}" text-anchor="middle" transform="rotate(-90 16 {(T+H-B)/2})">seconds per step (log)</text>']
for c in xs:
    svg.append(f'<text x="{px(c):.1f}" y="{H-B+16}" text-anchor="middle">{c:,}</text>')
    svg.append(f'<line x1="{px(c):.1f}" y1="{H-B}" x2="{px(c):.1f}" y2="{H-B+4}" stroke="black"/>')
e = math.floor(lo)
while e <= hi:
    for m in (1, 2, 5):
        v = m * 10 ** e
        if lo <= math.log10(v) <= hi:
            svg.append(f'<line x1="{L}" y1="{py(v):.1f}" x2="{W-R}" y2="{py(v):.1f}" stroke="#ddd"/>')
            svg.append(f'<text x="{L-6}" y="{py(v)+4:.1f}" text-anchor="end">{v:g}</text>')
    e += 1
series = [("step", "whole step", "#1f77b4"), ("product", "encoder product", "#ff7f0e"),
          ("rest", "step less product", "#2ca02c")]
ks = sorted({r["k"] for r in rows})
legend_y = T + 10
for key, label, colour in series:
    for k in ks:
        pts = [(px(r["concepts"]), py(r[key])) for r in rows if r["k"] == k and r[key] > 0]
        dash = "" if k == ks[0] else ' stroke-dasharray="6 4"'
        svg.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for x, y in pts:
            svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        svg.append(f'<line x1="{W-R+10}" y1="{legend_y}" x2="{W-R+30}" y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash}/>')
        svg.append(f'<text x="{W-R+34}" y="{legend_y+4}" font-size="10">{label}, k {k}</text>')
        legend_y += 16
svg.append("</svg>")
open(plot_file, "w").write("\n".join(svg) + "\n")
