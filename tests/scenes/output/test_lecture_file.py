"""Lecture files: the example loads; every kind of mistake is one line naming file and key."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rnn.errors import UnrolledError
from rnn.files.checkpoint import save_checkpoint
from rnn.limits import RANGES
from rnn.model import text_model
from scenes.beats.contract import TEXT_STEPS, Option, SceneContract
from scenes.output.lecture_file import Lecture, load_lecture

EXAMPLE = Path(__file__).resolve().parents[3] / "lectures" / "example.toml"


def declaring(*options: Option) -> SimpleNamespace:
    """A stand-in registry entry: validation only needs the scene's contract."""
    return SimpleNamespace(contract=SceneContract(options=options))


# Stand-in registry: scenes that draw the model's trace, two of them with options.
REGISTRY = {
    "forward": declaring(), "bptt": declaring(), "gradients": declaring(),
    "truncated": declaring(Option("window", int, 4, "steps per window", RANGES["window"]),
                           Option("steps", int, 12, "length of the sequence", TEXT_STEPS)),
    "clipping": declaring(Option("clip", float, 1.0, "threshold", RANGES["clip"])),
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_loads():
    lecture = load_lecture(EXAMPLE)
    assert isinstance(lecture, Lecture)
    assert lecture.scene_names == ["lecture", "truncated", "vanishing", "clipping"]
    assert lecture.scenes[0].options == {"values": True}
    assert lecture.scenes[1].options == {"window": 4}
    assert (lecture.theme, lecture.quality, lecture.format) == ("dark", "low", "mp4")
    assert (lecture.pace, lecture.voice, lecture.captions) == (15.0, True, "side")  # narrated
    assert (lecture.model.text, lecture.model.hidden, lecture.model.seed) == ("hello", 3, 0)
    assert lecture.title.startswith("Backpropagation through time")


def test_example_scene_inputs():
    inputs = load_lecture(EXAMPLE).scene_inputs()
    assert [i.values for i in inputs] == [True, False, False, False]
    assert inputs[0].trace.T == 4  # "hello": four next-character steps
    assert inputs[0].extra == {}
    # truncated builds its own 12-step sequence, cut into windows of 4
    assert [w.T for w in inputs[1].windows] == [4, 4, 4]


def test_per_scene_options_reach_the_input(tmp_path):
    path = write(tmp_path, """
[model]
text = "hello world"
[[scenes]]
name = "truncated"
window = 3
steps = 2
[[scenes]]
name = "clipping"
clip = 5
""")
    lecture = load_lecture(path, REGISTRY)
    assert lecture.scenes[1].options == {"clip": 5.0}
    assert isinstance(lecture.scenes[1].options["clip"], float)
    truncated, clipping = lecture.scene_inputs(REGISTRY)
    assert len(truncated.windows) == 4  # 10 steps in windows of 3
    assert truncated.extra == {"window": 3, "steps": 2}
    assert clipping.extra == {"clip": 5.0}


def test_a_scene_declares_its_options(tmp_path):
    from rnn.limits import Range

    new = declaring(Option("speed", float, 1.0, "how fast", Range(float, 0, 10, lo_open=True)))
    path = write(tmp_path, '[[scenes]]\nname = "new"\nspeed = 2\n')
    assert load_lecture(path, {"new": new}).scenes[0].options == {"speed": 2.0}
    path.write_text('[[scenes]]\nname = "new"\nspeed = 11\n')
    with pytest.raises(UnrolledError, match=r"scenes\[0\]\.speed: expected a number > 0 and "
                                            r"<= 10, got 11\.0"):
        load_lecture(path, {"new": new})


@pytest.mark.parametrize(
    "text, message",
    [
        ('titel = "x"\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: titel: unknown key \(expected one of captions, constant_rate, format, model, pace"),
        ('[[scenes]]\nname = "forward"\nwindow = 3\n',
         r"lec\.toml: scenes\[0\]\.window: unknown key \(expected one of values\)"),
        ('[model]\nhiden = 3\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.hiden: unknown key"),
        ('[model]\nhidden = "3"\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.hidden: expected an integer >= 1, got a string '3'"),
        ('[model]\nhidden = true\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.hidden: expected an integer >= 1, got a boolean True"),
        ('[model]\nhidden = 0\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.hidden: expected an integer >= 1, got 0"),
        ('[[scenes]]\nname = "forward"\nvalues = "yes"\n',
         r"lec\.toml: scenes\[0\]\.values: expected true or false, got a string 'yes'"),
        ('[[scenes]]\nname = "clipping"\nclip = 0\n',
         r"lec\.toml: scenes\[0\]\.clip: expected a number > 0, got 0\.0"),
        ('[[scenes]]\nname = "forward"\n[[scenes]]\nname = "fwd"\n',
         r"lec\.toml: scenes\[1\]\.name: unknown scene 'fwd' \(expected one of bptt, clipping, "),
        ('[[scenes]]\nvalues = true\n', r"lec\.toml: scenes\[0\]\.name: missing"),
        ('title = "x"\n', r"lec\.toml: scenes: missing"),
        ('theme = "neon"\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: theme: unknown value 'neon' \(expected one of dark, light\)"),
        ('quality = 3\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: quality: unknown value 3 \(expected one of low, medium, high, 4k\)"),
        ('title = "x\n[[scenes]]\nname = "forward"\n', r"lec\.toml: not valid TOML \(.*line 1"),
        ('[model]\nweights = "w.npz"\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.weights: file not found: .*w\.npz"),
        ('[model]\ntrace = "t.json"\ntext = "ab"\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.text: not allowed with model\.trace"),
        ('[model]\ntext = ""\n[[scenes]]\nname = "forward"\n',
         r"lec\.toml: model\.text: expected a non-empty string"),
    ],
)
def test_mistakes_name_file_and_key(tmp_path, text, message):
    with pytest.raises(UnrolledError, match=message) as info:
        load_lecture(write(tmp_path, text), REGISTRY)
    assert "\n" not in str(info.value)


def test_missing_lecture_file(tmp_path):
    with pytest.raises(UnrolledError, match=r"nope\.toml: lecture file not found"):
        load_lecture(tmp_path / "nope.toml", REGISTRY)


def test_weights_relative_to_the_lecture(tmp_path):
    model = text_model("hello", hidden=4, seed=1)
    save_checkpoint(tmp_path / "w.npz", model.params, model.vocabulary, {"note": "test"})
    path = write(tmp_path, '[model]\nweights = "w.npz"\n[[scenes]]\nname = "bptt"\n')
    lecture = load_lecture(path, REGISTRY)
    assert lecture.model.weights == tmp_path / "w.npz"
    trace = lecture.model.build_trace()
    assert np.array_equal(trace.params.W, model.params.W)


def test_bad_weights_file_fails_before_rendering(tmp_path):
    (tmp_path / "w.npz").write_bytes(b"not a checkpoint")
    path = write(tmp_path, '[model]\nweights = "w.npz"\n[[scenes]]\nname = "bptt"\n')
    with pytest.raises(UnrolledError, match=r"lec\.toml: model: weights file .*w\.npz"):
        load_lecture(path, REGISTRY)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_gated_models_bad_checkpoint_fails_when_the_file_is_loaded(tmp_path, cell):
    (tmp_path / "w.npz").write_bytes(b"not a checkpoint")
    path = write(tmp_path, f'[model]\ncell = "{cell}"\nweights = "w.npz"\n'
                           '[[scenes]]\nname = "bptt"\n')
    with pytest.raises(UnrolledError, match=r"lec\.toml: model: weights file .*w\.npz"):
        load_lecture(path, REGISTRY)
    other = text_model("hello", hidden=2, seed=0, cell="gru" if cell == "lstm" else "lstm")
    save_checkpoint(tmp_path / "w.npz", other.params, other.vocabulary, {"cell": other.cell})
    with pytest.raises(UnrolledError, match=r"lec\.toml: model: .*holds"):
        load_lecture(path, REGISTRY)


def test_saved_trace_is_used_as_is(tmp_path):
    from rnn.traces import files as trace_files

    trace = text_model("abcab", hidden=2, seed=3).trace()
    trace_files.save(tmp_path / "t.json", trace, text="abcab")
    path = write(tmp_path, '[model]\ntrace = "t.json"\n[[scenes]]\nname = "forward"\n')
    (inp,) = load_lecture(path, REGISTRY).scene_inputs(REGISTRY)
    assert np.array_equal(inp.trace.h, trace.h)
    path.write_text('[model]\ntrace = "t.json"\n[[scenes]]\nname = "truncated"\nwindow = 2\n')
    with pytest.raises(UnrolledError, match=r"scenes\[0\]\.window: needs a model to rerun"):
        load_lecture(path, REGISTRY)


def test_jobs_follow_the_lecture(tmp_path):
    import pickle

    path = write(tmp_path, 'quality = "medium"\n[[scenes]]\nname = "forward"\n'
                           '[[scenes]]\nname = "bptt"\n'
                           '[[scenes]]\nname = "forward"\nvalues = true\n')
    jobs = load_lecture(path, REGISTRY).jobs(REGISTRY)
    assert [(j.name, j.output_stem, j.quality) for j in jobs] == [
        ("forward", "forward", "medium"), ("bptt", "bptt", "medium"),
        ("forward", "forward-2", "medium")]
    assert [j.scene_input.values for j in jobs] == [False, False, True]
    # Jobs go to worker processes: they must survive pickling with their trace.
    back = pickle.loads(pickle.dumps(jobs))
    assert np.array_equal(back[2].scene_input.trace.h, jobs[2].scene_input.trace.h)


# With the real registry: scenes that build their own model ------------------------------
def test_example_is_valid_for_the_real_registry():
    from scenes.registry import SCENES

    assert set(load_lecture(EXAMPLE).scene_names) <= set(SCENES)


def test_scene_modules_declare_their_options(tmp_path):
    path = write(tmp_path, """
[[scenes]]
name = "truncated"
window = 3
steps = 6
[[scenes]]
name = "clipping"
clip = 2
radius = 1.5
[[scenes]]
name = "vanishing"
radius = 1.2
""")
    truncated, clipping, vanishing = load_lecture(path).scene_inputs()
    assert truncated.extra["scene"] == "truncated"
    assert len(truncated.windows) == 2 and truncated.trace.T == 6
    assert (clipping.extra["clip"], clipping.extra["radius"]) == (2.0, 1.5)
    assert vanishing.extra["radii"]["large"] == 1.2


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[scenes]]\nname = "clipping"\nclip = "big"\n',
         r"scenes\[0\]\.clip: expected a number > 0, got a string 'big'"),
        ('[[scenes]]\nname = "clipping"\nwindow = 2\n',
         r"scenes\[0\]\.window: unknown key \(expected one of clip, radius, values\)"),
        ('[model]\ntext = "hello"\n[[scenes]]\nname = "truncated"\n',
         r"lec\.toml: scenes\[0\]: 12 steps need a text of at least 13 characters"),
        ('[model]\nradius = 1.1\n[[scenes]]\nname = "forward"\n[[scenes]]\nname = "clipping"\n',
         r"scenes\[1\]\.name: scene 'clipping' builds its own model .* remove model\.radius"),
    ],
)
def test_real_scene_option_mistakes(tmp_path, text, message):
    with pytest.raises(UnrolledError, match=message):
        load_lecture(write(tmp_path, text))


@pytest.mark.parametrize("text, message", [
    ('pace = 3\n[[scenes]]\nname = "forward"\n', r"lec\.toml: pace: expected a number >= 8"),
    ('pace = 99\n[[scenes]]\nname = "forward"\n', r"lec\.toml: pace: expected a number"),
    ('voice = "yes"\n[[scenes]]\nname = "forward"\n', r"lec\.toml: voice: expected true or"),
    ('captions = "top"\n[[scenes]]\nname = "forward"\n', r"lec\.toml: captions: unknown value"),
    ('constant_rate = "yes"\n[[scenes]]\nname = "forward"\n',
     r"lec\.toml: constant_rate: expected true or"),
])
def test_narration_keys_are_checked(tmp_path, text, message):
    path = tmp_path / "lec.toml"
    path.write_text(text)
    with pytest.raises(UnrolledError, match=message):
        load_lecture(path)


def test_narration_keys_reach_every_scene_input(tmp_path):
    path = tmp_path / "lec.toml"
    path.write_text('pace = 12\nvoice = true\ncaptions = "burn"\n[[scenes]]\nname = "forward"\n'
                    '[[scenes]]\nname = "truncated"\n')
    told = {(i.narration.pace, i.narration.voice, i.narration.captions)
            for i in load_lecture(path).scene_inputs()}
    assert told == {(12.0, True, "burn")}


def test_constant_rate_reaches_every_render_job(tmp_path):
    path = tmp_path / "lec.toml"
    path.write_text('constant_rate = true\n[[scenes]]\nname = "forward"\n'
                    '[[scenes]]\nname = "bptt"\n')
    assert [job.constant_rate for job in load_lecture(path).jobs()] == [True, True]
    path.write_text('[[scenes]]\nname = "forward"\n')
    assert [job.constant_rate for job in load_lecture(path).jobs()] == [False]
