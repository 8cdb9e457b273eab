# Two entry points: `make render` (the main job) and `make test`.
# Each installs what is missing first: Debian build packages for manim, then a .venv with the project.

VENV      := .venv
PY        := $(VENV)/bin/python
UNROLLED  := $(VENV)/bin/unrolled
STAMP     := $(VENV)/.installed
APT_PKGS  := libcairo2-dev libpango1.0-dev pkg-config
# What the deck tests open decks with (a real browser and a real PowerPoint reader), and the
# runtime of the explore script's unit tests (node --test).
TEST_APT_PKGS := chromium libreoffice-impress nodejs
# reveal.js for self-contained HTML decks: the version manim-slides' template names, package
# data in scenes/output/reveal.js (tools/fetch_reveal.py; a wheel's build fetches it too).
REVEAL_VERSION := 6.0.1
REVEAL    := scenes/output/reveal.js
REVEAL_STAMP := $(REVEAL)/.fetched-$(REVEAL_VERSION)
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON    ?= python3

.PHONY: render test system-deps test-deps venv bench clean

render: venv
	$(UNROLLED) render --config lectures/example.toml

# One pytest worker per core; the slowest tests are listed at the end.
TEST_JOBS ?= auto

test: venv test-deps
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadgroup --durations=15

# Every benchmark script in turn (each prints its own ratios; the reference loops are modules).
bench: venv
	@for script in benchmarks/*.py; do \
		case $$script in */__init__.py|*/reference_*|*/_*) continue ;; esac; \
		echo "== $$script"; $(PY) $$script || exit 1; \
	done

venv: $(STAMP) $(REVEAL_STAMP)

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

# Only what is missing, without recommends (LibreOffice's would pull in the whole suite).
test-deps:
	@missing=""; for pkg in $(TEST_APT_PKGS); do \
		dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# Decks carry reveal.js with them; it is fetched here (or by the wheel's build), from the npm
# registry, never when a deck is built.
$(REVEAL_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "Installing Debian packages: nodejs npm"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		$(SUDO) apt-get install -y -q --no-install-recommends nodejs npm; }
	$(PYTHON) tools/fetch_reveal.py

$(STAMP): pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,voice,notebook,onnx]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info $(REVEAL)
