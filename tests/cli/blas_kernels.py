"""numpy's OpenBLAS kernel families, chosen for one subprocess at a time.

numpy's bundled OpenBLAS picks its kernels by processor; ``OPENBLAS_CORETYPE`` makes it take
another family on the same machine, and ``OPENBLAS_VERBOSE=2`` makes it print the one it took
(``Core: Haswell``) on standard error when numpy loads. The reference tests run the same commands
under families other than the machine's own, to show on one machine what another processor
would do. The machine may set ``OPENBLAS_CORETYPE`` itself: that setting is its own family.
"""

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

CORE = re.compile(r"^Core: (\S+)", re.MULTILINE)

# Families to try, with the processor flags (as /proc/cpuinfo names them) each one needs:
# a family whose instructions the processor lacks would crash, so it is never asked for.
CANDIDATES = {
    "x86_64": [("Haswell", {"avx2", "fma"}), ("Sandybridge", {"avx"}), ("Prescott", {"pni"}),
               ("SkylakeX", {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"})],
    "aarch64": [("ARMV8", set()), ("CORTEXA53", set()), ("CORTEXA57", set())],
}


def env_for(coretype: str | None, verbose: bool = True) -> dict:
    """This process's environment with ``coretype`` chosen (None: the machine's own)."""
    env = dict(os.environ)
    if coretype is not None:
        env["OPENBLAS_CORETYPE"] = coretype
    if verbose:
        env["OPENBLAS_VERBOSE"] = "2"
    return env


def core_named(stderr: str) -> str | None:
    """The family OpenBLAS said it took, from a process's standard error."""
    found = CORE.search(stderr)
    return found.group(1) if found else None


def core_of(coretype: str | None) -> str | None:
    """The family numpy loads under ``coretype`` in a fresh interpreter (None if it crashed or
    printed none)."""
    probe = subprocess.run([sys.executable, "-c", "import numpy"], env=env_for(coretype),
                           capture_output=True, text=True)
    return core_named(probe.stderr) if probe.returncode == 0 else None


def _cpu_flags() -> set[str]:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return set()
    found = re.search(r"^(?:flags|Features)\s*:(.*)$", cpuinfo.read_text(), re.MULTILINE)
    return set(found.group(1).split()) if found else set()


def other_families(wanted: int = 2) -> tuple[str, list[tuple[str, str]]]:
    """The machine's own family and up to ``wanted`` others it can run, each as
    ``(OPENBLAS_CORETYPE value, family OpenBLAS took)``, all distinct."""
    own = core_of(None)
    flags, seen, others = _cpu_flags(), {own}, []
    for coretype, needs in CANDIDATES.get(platform.machine(), []):
        if len(others) == wanted or not needs <= flags:
            continue
        core = core_of(coretype)
        if core is not None and core not in seen:
            seen.add(core)
            others.append((coretype, core))
    return own, others
