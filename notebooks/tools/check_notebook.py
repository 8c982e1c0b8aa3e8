#!/usr/bin/env python3
"""Checks an executed notebook for errors that `jupyter nbconvert --execute` lets through, and
explains the errors that stop it.

    check_notebook.py EXECUTED.ipynb
    check_notebook.py --explain NBCONVERT.log NOTEBOOK.ipynb

nbconvert stops on a cell whose execution fails, but it exits 0 when the Kotlin kernel's
renderer throws: the exception is then only a `stderr` stream. The first form fails on an
`error` output, on an exception or traceback in a `stderr` stream, and on a code cell that was
never executed. On success it prints one line, `CODE_CELLS PAGE_HEIGHT CELL_SECONDS`: the number
of code cells, a page height in pixels tall enough for a screenshot of the notebook's HTML
export, and each code cell's execution time (from nbclient's timing metadata; `-` where
unknown), comma-separated.

The second form reads the log of a failed `nbconvert --execute` and prints which cell of
NOTEBOOK failed (its number, counting markdown cells too, and first line) and the error without
its stack frames, or the log's last lines when no cell failed (a timeout, a dead kernel).
Standard library only.
"""
import json
import re
import sys
from datetime import datetime

MAX_LINES = 16  # of each reported error; the executed notebook has the rest
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A JVM exception or a traceback in a stream: "java.lang.IllegalStateException: ...",
# "Exception in thread", "Caused by:", a stack frame "    at a.b.C.m(C.kt:12)", or Python's.
EXCEPTION = re.compile(
    r"(?:\b(?:[a-z_][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b"
    r"|\bException in thread\b"
    r"|^\s*Caused by: "
    r"|^\s+at [\w$.<>]+\([^)]*\)\s*$"
    r"|Traceback \(most recent call last\)"
    r"|\.kts \(\d+:\d+ - \d+\) )",  # a compile error: "Line_3.jupyter.kts (1:14 - 26) Type mismatch"
    re.MULTILINE,
)
# A stack frame line, left out of what is printed.
FRAME = re.compile(r"^\s*(?:at\s+)?[\w$.<>/]+\([^)]*\)\s*$|^\s*\.\.\. \d+ (?:more|common frames omitted)\s*$")
SEPARATOR = "-" * 18  # nbclient's CellExecutionError puts the failing cell's source between two


def text_of(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def first_line(cell):
    for line in text_of(cell.get("source")).splitlines():
        if line.strip():
            return line.strip()[:80]
    return "(empty)"


def seconds(cell):
    """Execution time of a cell from nbclient's `execution` metadata, or None."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start, end = (datetime.fromisoformat(timing[key].rstrip("Z"))
                      for key in ("iopub.execute_input", "shell.execute_reply"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def output_height(output):
    """Rough pixel height of one output in nbconvert's HTML export."""
    kind = output.get("output_type")
    if kind == "stream":
        return 18 * (text_of(output.get("text")).count("\n") + 1)
    if kind == "error":
        return 18 * (len(output.get("traceback", [])) + 2)
    data = output.get("data", {})
    if any(k.startswith("image/") for k in data):
        meta = output.get("metadata", {})
        for mime, value in meta.items():
            if mime.startswith("image/") and isinstance(value, dict) and "height" in value:
                return int(value["height"]) + 20
        return 500
    if "text/html" in data:
        html = text_of(data["text/html"])
        rows = len(re.findall(r"<(?:br|tr|p|div|li|h\d|pre)\b", html, re.I)) + html.count("\n")
        return 40 + 22 * max(1, rows) + (400 if "<svg" in html.lower() else 0)
    return 18 * (text_of(data.get("text/plain")).count("\n") + 1)


def main(path):
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    problems = []
    code_cells = 0
    times = []
    height = 200
    for index, cell in enumerate(notebook.get("cells", []), start=1):
        source = text_of(cell.get("source"))
        height += 30 + 19 * (source.count("\n") + 1)
        if cell.get("cell_type") != "code":
            continue
        code_cells += 1
        took = seconds(cell)
        times.append("-" if took is None else f"{took:.1f}")
        where = f"cell {index} '{first_line(cell)}'"
        if source.strip() and cell.get("execution_count") is None:
            problems.append(f"{where}: was not executed")
        for output in cell.get("outputs", []):
            height += output_height(output)
            kind = output.get("output_type")
            if kind == "error":
                trace = ANSI.sub("", "\n".join(output.get("traceback", [])))
                problems.append(f"{where}: {output.get('ename')}: {output.get('evalue')}\n{trace}")
            elif kind == "stream" and output.get("name") == "stderr":
                text = ANSI.sub("", text_of(output.get("text")))
                if EXCEPTION.search(text):
                    problems.append(f"{where}: exception on stderr:\n{text.rstrip()}")
    if code_cells == 0:
        problems.append("no code cells")
    for problem in problems:
        # the message and its causes, without stack frames (the executed notebook has them all)
        lines = [line for line in problem.splitlines() if line.strip() and not FRAME.match(line)]
        if len(lines) > MAX_LINES:
            lines = lines[:MAX_LINES] + [f"    ... (more in {path})"]
        print(f"{path}: " + "\n    ".join(lines), file=sys.stderr)
    if problems:
        return 1
    print(code_cells, max(720, min(height, 12000)), ",".join(times))
    return 0


def explain(log_path, notebook_path):
    """Says which cell of a notebook stopped `nbconvert --execute`, from nbconvert's log."""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        log = ANSI.sub("", f.read()).splitlines()
    starts = [i for i, line in enumerate(log) if "An error occurred while executing the following cell" in line]
    if not starts:
        tail = [line for line in log if line.strip()][-MAX_LINES:]
        print(f"{notebook_path}: nbconvert stopped without a cell error; last lines of {log_path}:",
              *("    " + line for line in tail), sep="\n", file=sys.stderr)
        return
    rest = log[starts[-1] + 1:]
    try:
        first = rest.index(SEPARATOR)
        second = rest.index(SEPARATOR, first + 1)
    except ValueError:
        first, second = -1, -1
    source = "\n".join(rest[first + 1:second]).strip()
    error = [line for line in rest[second + 1:] if line.strip() and not FRAME.match(line)]
    with open(notebook_path, encoding="utf-8") as f:
        cells = json.load(f).get("cells", [])
    where = "a cell"
    for index, cell in enumerate(cells, start=1):
        if cell.get("cell_type") == "code" and text_of(cell.get("source")).strip() == source:
            where = f"cell {index} '{first_line(cell)}'"
            break
    print(f"{notebook_path}: {where} failed:", *("    " + line for line in error[:MAX_LINES]),
          sep="\n", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--explain":
        explain(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
