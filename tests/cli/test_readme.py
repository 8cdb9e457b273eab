"""Every command the README shows runs: a README example that stops working fails here.

The README's indented command lines are run in order, in one shell, in a temporary folder that
holds copies of the files they read (README.md, lectures/, data/, the imported models'
fixtures), so nothing under the checkout's media/ is touched. ``unrolled`` is the checkout's
own entry point with three changes that keep this test cheap: renders are dry runs
(``readme_dry``: every scene's construct runs to its last beat, no frame is encoded), ``train``
stops after a few windows (its command line is otherwise the README's), and each command is a
process forked from one interpreter that has imported the program once (tests/forks.py), not
a new interpreter. The kinds of command not run here are listed in ``SKIPPED`` with their
reason; a new one fails the test until it is listed.
"""

import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from cli_run import ROOT
from forks import client_command, server

# the README's commands run once, in the module fixture (about a minute): under -n its tests
# stay in one worker, or each worker would run them all again
pytestmark = pytest.mark.xdist_group("readme")

README = ROOT / "README.md"
HERE = Path(__file__).resolve().parent
TRAIN_ITERATIONS = 30  # windows trained by each `unrolled train` example (the README's: 2000+)

# Commands whose first word is one of these are examples to run or to skip.
COMMAND = re.compile(r"^ {4}(unrolled|make|\.venv/bin/\S+|python\S*|pip|manim|#SBATCH)\b")
# Lines not run, each with its reason. A README line not run must be listed here.
SKIPPED = {
    "make render": "installs, then runs `unrolled render --config lectures/example.toml`, "
                   "which is run here",
    "make test": "the test suite itself",
    ".venv/bin/python benchmarks/": "benchmarks: minutes of measurement, nothing to check",
}


def readme_commands() -> list[str]:
    """The README's example command lines, in order (fenced blocks are not examples)."""
    lines, fenced = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and COMMAND.match(line):
            lines.append(line.strip())
    return lines


def skip_reason(line: str) -> str | None:
    return next((why for prefix, why in SKIPPED.items() if line.startswith(prefix)), None)


def test_the_readme_shows_the_commands_this_test_knows():
    lines = readme_commands()
    assert len(lines) > 40
    skipped = [line for line in lines if skip_reason(line)]
    # the skipped kinds do not grow silently: every skipped line is one of these
    assert [line.split("#")[0].split()[0] for line in skipped] == \
        ["make", "make"] + [".venv/bin/python"] * 9
    unknown = [line for line in lines if not skip_reason(line)
               and not line.startswith(("unrolled ", "#SBATCH"))]
    assert unknown == [], "a new kind of README command: run it or list it in SKIPPED"


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every runnable README line run in order: ``(folder, [(line, status, output)])``."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copy(README, work / "README.md")
    for folder in ("lectures", "data", "tests/rnn/data/frameworks"):  # the last: imported models
        shutil.copytree(ROOT / folder, work / folder)
    # the sharding example's `course.toml` is the reader's own lecture file
    shutil.copy(ROOT / "lectures" / "example.toml", work / "course.toml")
    (work / "media").mkdir()
    sockets = Path(tempfile.mkdtemp(prefix="readme-"))  # a socket's path must be short
    script = [
        "unrolled() {",
        f'  if [ "$1" = train ]; then set -- "$@" --iterations {TRAIN_ITERATIONS}; fi',
        f"  {shlex.join(client_command(sockets / 'unrolled'))} \"$@\"",
        "}",
    ]
    # a comment line (`#SBATCH`) belongs to the command after it
    runnable = [line for line in readme_commands()
                if not skip_reason(line) and not line.startswith("#")]
    for i, line in enumerate(runnable):
        script.append(f"( {line}\n) >out.{i} 2>&1; echo $? >status.{i}; date +%s.%N >time.{i}")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "PYTHONPATH": f"{ROOT}:{HERE}",
           "UNROLLED_VOICE_CACHE": str(work / "voice"), "SLURM_ARRAY_TASK_ID": "2"}
    try:
        with server(sockets / "unrolled", "--install", "readme_dry", cwd=work, env=env):
            subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, check=True,
                           timeout=900)
    finally:
        shutil.rmtree(sockets)
    results = []
    for i, line in enumerate(runnable):
        status = int((work / f"status.{i}").read_text())
        results.append((line, status, (work / f"out.{i}").read_text(errors="replace")))
    return work, results


def test_every_readme_command_exits_0(ran):
    _, results = ran
    failed = [f"{line}\n  exit {status}: {out.strip()[-400:]}"
              for line, status, out in results if status != 0]
    assert not failed, "README examples that fail:\n" + "\n".join(failed)
    assert len(results) > 40


def test_the_wide_example_trace_is_written(ran):
    # the README's real-size example (1000 steps, 256 units, default options) overflowed
    # with a fixed init scale of 0.5; its Trace records the scale used, 1/sqrt(256)
    from rnn.traces import files as trace_files

    work, results = ran
    assert any("--hidden 256" in line and status == 0 for line, status, _ in results)
    trace = trace_files.load_any(work / "media" / "t.npz")
    assert trace.config.hidden == 256 and trace.config.init_scale == 0.0625


def test_the_scene_table_is_one_table_of_every_scene():
    from scenes.registry import SCENES

    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| scene | what it shows |")
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip().strip("`"))
    assert sorted(rows) == sorted(SCENES)  # every scene once, none in a stray row after it
