"""rnn/ is pure numpy: importing it pulls in neither manim nor click."""

import subprocess
import sys


def test_import_rnn_leaves_manim_out():
    code = ("import sys, rnn, rnn.traces.files, rnn.learning.train, rnn.learning.gradcheck, rnn.files.checkpoint, "
            "rnn.imports, rnn.imports.weights, rnn.imports.adapter; "
            "print(sorted(m for m in ('manim', 'click', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
