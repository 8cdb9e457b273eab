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

# pycairo and ManimPango build from source against the cairo and pango headers, with gcc and
# Python's own headers; a Debian python3 also needs python3-venv for `-m venv`.
system-deps:
	@missing="$$(dpkg -s $(APT_PKGS) >/dev/null 2>&1 || echo $(APT_PKGS))"; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc"; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	$(PYTHON) -c "import sysconfig, os, sys; \
		sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
		|| missing="$$missing python3-dev"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(STAMP): pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
