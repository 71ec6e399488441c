#!/usr/bin/env python3
"""Opens report.html and explore.html of real runs in headless Chromium.

Usage: report_browser_test.py CKPTSIM BUILD_DIR   (run from the source tree)

For each page it fails when:
  * chromium is not installed (this test never skips: `make test` installs it);
  * Chromium logs any console message (the pages log nothing when healthy; a script
    error, console.error or console.warn from Vega all fail the test);
  * the page's own error capture saw an error (body data-console-errors != "0");
  * not every chart rendered to an SVG (body data-charts-rendered != data-charts-total);
  * the page tried to reach the network (every host name resolves to nothing, so a
    fetch shows up as an error).
Screenshots are kept as artifacts in BUILD_DIR/report-screenshots/.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=20000",
]
CONSOLE_LINE = re.compile(r":CONSOLE(?:\(\d+\))?[:\]]")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    fail("chromium is not installed (scripts/install-deps installs the Debian package `chromium`)")


def run(command, expect_codes):
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode not in expect_codes:
        fail(f"exit code {result.returncode} (expected {expect_codes}):\n{result.stdout}\n{result.stderr}")
    return result


def chromium(binary, extra_args, url):
    with tempfile.TemporaryDirectory(prefix="ckptsim-chromium-") as profile:
        command = [binary] + CHROMIUM_FLAGS + [f"--user-data-dir={profile}"] + extra_args + [url]
        return subprocess.run(command, capture_output=True, text=True, timeout=180)


def check_page(binary, html_path, screenshot_path, expected_charts_min):
    url = "file://" + os.path.abspath(html_path)
    result = chromium(binary, ["--enable-logging=stderr", "--v=0", "--dump-dom"], url)
    if result.returncode != 0:
        fail(f"chromium exited {result.returncode} on {html_path}:\n{result.stderr[-3000:]}")
    console = [line for line in result.stderr.splitlines() if CONSOLE_LINE.search(line)]
    if console:
        fail(f"{html_path}: console messages:\n" + "\n".join(console))
    dom = result.stdout
    # The inlined libraries mention "<body>" in their strings; the element is the last one.
    bodies = re.findall(r"<body([^>]*)>", dom)
    if not bodies:
        fail(f"{html_path}: no <body> in the dumped DOM")
    attributes = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', bodies[-1]))
    if "data-charts-error" in attributes:
        fail(f"{html_path}: a chart failed: {attributes['data-charts-error']}")
    if attributes.get("data-console-errors") != "0":
        errors = re.search(r'<pre id="ckptsim-errors"[^>]*>(.*?)</pre>', dom, re.S)
        fail(f"{html_path}: the page saw errors ({attributes.get('data-console-errors')}): "
             f"{errors.group(1) if errors else 'the page did not finish rendering'}")
    rendered = int(attributes.get("data-charts-rendered", "-1"))
    total = int(attributes.get("data-charts-total", "-2"))
    if rendered != total or total < expected_charts_min:
        fail(f"{html_path}: {rendered} of {total} charts rendered (expected at least {expected_charts_min})")
    if "[charts rendered]" not in dom:
        fail(f"{html_path}: document.title was not updated after rendering")
    os.makedirs(os.path.dirname(screenshot_path), exist_ok=True)
    if os.path.exists(screenshot_path):
        os.remove(screenshot_path)
    shot = chromium(binary, ["--window-size=1400,3000", f"--screenshot={screenshot_path}"], url)
    if shot.returncode != 0 or not os.path.exists(screenshot_path) or os.path.getsize(screenshot_path) < 10000:
        fail(f"{html_path}: no screenshot written to {screenshot_path}:\n{shot.stderr[-2000:]}")
    print(f"ok: {html_path}: {rendered}/{total} charts, no console messages; screenshot {screenshot_path}")


def make_violation_copy(run_dir, violation_dir):
    """A copy of a passing run with a violation injected into its JSON, re-rendered by
    `ckptsim report`, so the violation section renders in the browser too."""
    if os.path.exists(violation_dir):
        shutil.rmtree(violation_dir)
    shutil.copytree(run_dir, violation_dir)
    with open(os.path.join(violation_dir, "summary.json")) as f:
        summary = json.load(f)
    summary["verdict"] = "fail"
    summary["passed"] = False
    summary["violations"] = [{"property": "sink.double_commit", "time_ns": 1500000000, "time": "1.5s",
                              "event_index": 3, "explanation": "injected by the browser test"}]
    with open(os.path.join(violation_dir, "summary.json"), "w") as f:
        json.dump(summary, f)
    with open(os.path.join(violation_dir, "timeseries.json")) as f:
        timeseries = json.load(f)
    timeseries["violation_events"] = [{"i": i, "t": "0s", "kind": "timer_fired", "process": "jm", "a": 0, "b": 0}
                                      for i in range(6)]
    with open(os.path.join(violation_dir, "timeseries.json"), "w") as f:
        json.dump(timeseries, f)


def main():
    if len(sys.argv) != 3:
        fail("usage: report_browser_test.py CKPTSIM BUILD_DIR")
    ckptsim, build_dir = sys.argv[1], sys.argv[2]
    binary = chromium_binary()
    work = os.path.join(build_dir, "report-browser-test")
    shots = os.path.join(build_dir, "report-screenshots")
    run_dir = os.path.join(work, "run")
    explore_dir = os.path.join(work, "explore")
    violation_dir = os.path.join(work, "violation")
    for d in (run_dir, explore_dir):
        if os.path.exists(d):
            shutil.rmtree(d)
    run([ckptsim, "run", "scenarios/wordcount-tm-crash.json", "--out", run_dir], [0])
    for name in ("summary.json", "timeseries.json", "trace.chrome.json", "report.html"):
        if not os.path.exists(os.path.join(run_dir, name)):
            fail(f"ckptsim run --out did not write {name}")
    json.load(open(os.path.join(run_dir, "trace.chrome.json")))
    run([ckptsim, "explore", "scenarios/wordcount-tm-crash.json", "--seeds", "1..6", "--jobs", "2", "-q",
         "--out", explore_dir], [0, 1])
    make_violation_copy(run_dir, violation_dir)
    run([ckptsim, "report", violation_dir], [0])

    check_page(binary, os.path.join(run_dir, "report.html"), os.path.join(shots, "report.png"), 5)
    check_page(binary, os.path.join(violation_dir, "report.html"), os.path.join(shots, "report-violation.png"), 5)
    check_page(binary, os.path.join(explore_dir, "explore.html"), os.path.join(shots, "explore.png"), 2)
    print("ok: all pages rendered")


if __name__ == "__main__":
    main()
