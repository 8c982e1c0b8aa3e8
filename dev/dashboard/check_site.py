#!/usr/bin/env python3
"""Opens a saekit dashboard site in headless Chromium and checks what a reader sees, through the DOM
Chromium builds after the page's script ran (--dump-dom), and through screenshots whose pixels are
checked. Usage: check_site.py SITE OUT NAME  (NAME: the name given to concept 0, to be shown as text)."""
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], []

    def all(self):
        yield self
        for c in self.children:
            yield from c.all()

    def find(self, tag=None, cls=None, **attrs):
        for n in self.all():
            if tag and n.tag != tag:
                continue
            if cls and cls not in (n.attrs.get("class") or "").split():
                continue
            if any(n.attrs.get(k) != v for k, v in attrs.items()):
                continue
            yield n

    def content(self):
        return "".join(self.text) + "".join(c.content() for c in self.children)


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.at = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.at)
        self.at.children.append(n)
        if tag not in VOID:
            self.at = n

    def handle_endtag(self, tag):
        n = self.at
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.at = n.parent

    def handle_data(self, data):
        # text after a child belongs to the parent's content in order; kept simply as a child text node
        t = Node("#text", [], self.at)
        t.text.append(data)
        self.at.children.append(t)


def parse(html):
    t = Tree()
    t.feed(html)
    return t.root


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(url, out, *args):
    profile = os.path.join(out, "chromium-profile")
    r = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=15000", *args, url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=240)
    if r.returncode != 0:
        sys.exit("site-check: FAILED: Chromium exited %d on %s: %s" % (r.returncode, url, r.stderr.decode()[-2000:]))
    return r.stdout.decode("utf-8")


def fail(message):
    sys.exit("site-check: FAILED: " + message)


def dom(url, out, name):
    html = chromium(url, out, "--dump-dom")
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write(html)
    return parse(html)


def visible(row):
    return "hidden" not in row.attrs


def screenshot(url, out, png, height):
    chromium(url, out, "--window-size=1280,%d" % height, "--screenshot=" + png)
    from PIL import Image
    im = Image.open(png).convert("RGB")
    px = list(im.getdata())
    ink = sum(1 for p in px if sum(p) < 720) / len(px)
    orange = sum(1 for (r, g, b) in px if r > 200 and 60 < g < 190 and b < 90)
    print("screenshot %s: %dx%d, %.1f%% non-background, %d orange pixels (bars, shaded tokens)"
          % (os.path.basename(png), im.width, im.height, 100 * ink, orange))
    if ink < 0.02:
        fail(png + " is nearly blank (%.2f%% non-background)" % (100 * ink))
    if orange < 200:
        fail(png + " shows no histogram bars or shaded tokens (%d orange pixels)" % orange)


def main():
    site, out, name = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    if not CHROMIUM:
        fail("chromium not found: install Debian's chromium")
    record = json.load(open(os.path.join(site, "dashboard.json"), encoding="utf-8"))
    concepts = record["concepts"]
    base = "file://" + site

    # 1. the index lists every concept
    index = dom(base + "/index.html", out, "index.dom.html")
    rows = list(index.find("tr", **{}))
    rows = [r for r in rows if "data-id" in r.attrs]
    ids = sorted(int(r.attrs["data-id"]) for r in rows)
    if ids != list(range(concepts)):
        fail("the index lists %d concepts, dashboard.json says %d" % (len(ids), concepts))
    count = next(index.find("span", id="count")).content()
    if not count.startswith("{:,} of {:,} concepts".format(concepts, concepts)):
        fail("the index's count says '%s', expected all %d concepts shown" % (count, concepts))
    print("index: lists all %d concepts ('%s')" % (concepts, count))

    # 4. a name <script> is shown as text, and the index runs only its own script
    first = next(r for r in rows if r.attrs["data-id"] == "0")
    shown = next(first.find("td", cls="name")).content()
    if shown != name:
        fail("concept 0's name shows as '%s', expected the text '%s'" % (shown, name))
    scripts = [s.attrs.get("src") for s in index.find("script")]
    if scripts != ["assets/site.js"]:
        fail("the index holds scripts %s, expected only assets/site.js" % scripts)
    page0 = dom(base + "/concepts/" + "0".zfill(5) + ".html", out, "concept-0.dom.html")
    if list(page0.find("script")):
        fail("concept 0's page holds a script element: its name was not escaped")
    if next(page0.find("span", cls="name")).content() != name:
        fail("concept 0's page does not show its name as text")
    print("escaping: the name %r is text on the index and on concept 0's page; no injected script" % name)

    # 2. search finds a concept by a token
    token, target = None, None
    for r in rows:
        tokens = r.attrs.get("data-tokens", "").split("\t")
        if "river" in tokens:
            token, target = "river", int(r.attrs["data-id"])
            break
    if token is None:
        alive = next(r for r in rows if r.attrs.get("data-flag") != "dead" and r.attrs.get("data-tokens"))
        token, target = alive.attrs["data-tokens"].split("\t")[0], int(alive.attrs["data-id"])
    searched = dom(base + "/index.html?q=" + token, out, "search.dom.html")
    found = [r for r in searched.find("tr") if "data-id" in r.attrs and visible(r)]
    if not found:
        fail("searching '%s' shows no concept" % token)
    if target not in [int(r.attrs["data-id"]) for r in found]:
        fail("searching '%s' does not show concept %d, whose tokens include it" % (token, target))
    for r in found:
        if token not in r.attrs["data-tokens"].split("\t"):
            fail("searching '%s' shows concept %s, whose tokens do not include it" % (token, r.attrs["data-id"]))
    print("search: '%s' shows %d concepts, concept %d among them; the first: %s"
          % (token, len(found), target, ", ".join(r.attrs["data-id"] for r in found[:8])))

    # 3. a concept page shows highlighted contexts and a non-blank histogram
    page = dom(base + "/concepts/" + str(target).zfill(5) + ".html", out, "concept.dom.html")
    top = next(page.find("section", id="top"))
    contexts = list(top.find("li", cls="context"))
    shaded = [t for t in top.find("span", cls="tok") if re.search(r"--a:\s*0*\.?[1-9]", t.attrs.get("style", ""))]
    peaks = list(top.find("span", cls="peak"))
    if not contexts or not shaded or len(peaks) != len(contexts):
        fail("concept %d's page shows %d contexts, %d shaded tokens, %d peaks"
             % (target, len(contexts), len(shaded), len(peaks)))
    bars = [b for b in page.find("rect", cls="bar") if float(b.attrs.get("height", "0")) > 0]
    if not bars:
        fail("concept %d's histogram has no bar" % target)
    print("concept %d: %d top contexts, %d shaded tokens, %d peaks marked, a histogram of %d bars"
          % (target, len(contexts), len(shaded), len(peaks), len(bars)))

    screenshot(base + "/index.html", out, os.path.join(out, "index.png"), 1400)
    screenshot(base + "/concepts/" + str(target).zfill(5) + ".html", out, os.path.join(out, "concept.png"), 2400)
    print("site-check: passed")


if __name__ == "__main__":
    main()
