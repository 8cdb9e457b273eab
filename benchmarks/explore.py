"""The explore page of a long, wide trace in Chromium: its size, how soon it shows its units,
how long a scrub takes to redraw.

Builds a 1000-step, 256-unit, 65-symbol simple-RNN trace (init scale 1/16, about 1/sqrt(H), so
the units do not saturate), writes its page (``unrolled explore``'s HTML) and opens it from disk
in Debian's Chromium, every non-file request refused. Measured in the page with
``performance.now``: the moment the chain's units are drawn (from the start of navigation), and
100 scrubs, each the scrubber's input event, the redraw and a forced style and layout of the
page; then 100 scrubs one per animation frame, counting frames longer than 1.5 x 16.7 ms.
Targets: a page of at most 25 MB, units shown within 3 s, a scrub within one frame (16 ms).
Prints; asserts nothing. Usage: python benchmarks/explore.py [--steps T] [--hidden H]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# One BLAS thread: the error norms are many small products, which threads only slow down
# on a shared 2-core machine (measured 21 s against 4 s).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from benchmarks._sizes import size_arguments  # noqa: E402
from explore.page import page_html  # noqa: E402
from rnn import Optimizer, text_model  # noqa: E402
from rnn.files.atomic import write_text_atomic  # noqa: E402

CHROMIUM = "/usr/bin/chromium"

SCRUBS = """async (n) => {
  const scrub = document.querySelector('input[type=range]');
  const chain = document.querySelector('.ux-chain');
  const T = Number(scrub.max), times = [], scripts = [];
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    scrub.value = String(1 + ((i * 37) % T));
    scrub.dispatchEvent(new Event('input', {bubbles: true}));
    const t1 = performance.now();
    chain.getBoundingClientRect();  // style and layout of the redrawn chain, now
    document.body.offsetHeight;
    times.push(performance.now() - t0);
    scripts.push(t1 - t0);
  }
  const frames = [];
  await new Promise((done) => {
    let i = 0, last = null;
    const step = (now) => {
      if (last !== null) frames.push(now - last);
      last = now;
      if (i++ >= n) return done();
      scrub.value = String(1 + ((i * 53) % T));
      scrub.dispatchEvent(new Event('input', {bubbles: true}));
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  return {times, frames, scripts};
}"""


def main() -> None:
    args = size_arguments(__doc__)
    from playwright.sync_api import sync_playwright

    T, H, K = args.steps, args.hidden, args.vocab
    rng = np.random.default_rng(0)
    alphabet = [chr(0x21 + i) for i in range(K)]
    text = "".join(alphabet[i] for i in np.r_[np.arange(K), rng.integers(0, K, T + 1 - K)])
    t0 = time.perf_counter()
    trace = text_model(text, hidden=H, seed=0, init_scale=0.0625).trace(Optimizer("sgd", 0.1))
    t1 = time.perf_counter()
    html = page_html(trace)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "explore.html"
        write_text_atomic(path, html)
        size = path.stat().st_size
        print(f"trace {T} steps x {H} units x {K} symbols: recorded in {t1 - t0:.2f} s, "
              f"page built in {t2 - t1:.2f} s")
        print(f"page size: {size / 1e6:.2f} MB (target <= 25 MB): ratio {size / 25e6:.2f}")
        problems: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                           else (problems.append(r.request.url), r.abort()))
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on("console", lambda m: m.type == "error" and problems.append(m.text))
                w0 = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector(".unrolled-explore[data-ready='true']", timeout=60_000)
                wall = time.perf_counter() - w0
                root = page.locator(".unrolled-explore")
                shown = float(root.get_attribute("data-shown-at")) / 1000
                drawing = float(root.get_attribute("data-ready-ms")) / 1000
                units = page.locator("[data-kind=h]").count()
                print(f"units shown {shown:.2f} s after navigation started (target <= 3 s): "
                      f"ratio {shown / 3:.2f}; of which drawing the page {drawing:.2f} s; "
                      f"{units} h units drawn; wall clock to the ready page {wall:.2f} s")
                result = page.evaluate(SCRUBS, 100)
                times, frames = np.array(result["times"]), np.array(result["frames"])
                scripts = np.array(result["scripts"])
                print(f"scrub redraw (event + redraw + style and layout), 100 scrubs: median "
                      f"{np.median(times):.2f} ms, mean {times.mean():.2f} ms, max "
                      f"{times.max():.2f} ms (target <= 16 ms): ratio "
                      f"{np.median(times) / 16:.2f} (median), {times.max() / 16:.2f} (max); "
                      "the script "
                      f"alone: median {np.median(scripts):.2f} ms")
                long = int((frames > 1.5 * 1000 / 60).sum())
                print(f"one scrub per frame, 100 frames: median frame {np.median(frames):.1f} ms, "
                      f"max {frames.max():.1f} ms (frame {int(frames.argmax()) + 1}), "
                      f"{long} frames longer than 25 ms")
            finally:
                browser.close()
        print("problems (requests, errors):", problems or "none")


if __name__ == "__main__":
    main()
