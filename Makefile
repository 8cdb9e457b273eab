# Two entry points: `make render` (the main job) and `make test`.
# Each installs what is missing first: Debian build packages for manim, then a .venv with the project.

VENV      := .venv
PY        := $(VENV)/bin/python
UNROLLED  := $(VENV)/bin/unrolled
STAMP     := $(VENV)/.installed
APT_PKGS  := libcairo2-dev libpango1.0-dev pkg-config
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON    ?= python3

.PHONY: render test system-deps venv bench clean

render: venv
	$(UNROLLED) render --config lectures/example.toml

test: venv
	$(PY) -m pytest -q

bench: venv
	$(PY) benchmarks/run.py

venv: $(STAMP)

# pycairo and ManimPango build from source against these headers.
system-deps:
	@dpkg -s $(APT_PKGS) >/dev/null 2>&1 || { \
		echo "Installing Debian packages: $(APT_PKGS)"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $(APT_PKGS); }

$(STAMP): pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
