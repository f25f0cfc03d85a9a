# QML Course: `make start` sets up and starts the course; `make test` sets up and runs the tests.
# Both only do what is still missing, so they are safe to run again at any time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: start test setup setup-dev setup-torch system-deps lint format bench clean help site

help:
	@echo "make start   set up (first time only) and start JupyterLab with the lessons"
	@echo "make test    set up (first time only) and run the whole test suite"
	@echo "make lint    ruff check + format check + mypy"
	@echo "make bench   print the benchmark figures"
	@echo "make setup-torch   add the optional PyTorch extra (lesson 14's hybrid cells)"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed"' \
	  || { echo "QML Course needs Python >= 3.10 as '$(PYTHON)'; try: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip

# The stamps remember what was installed for which pyproject.toml.
$(VENV)/.course-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.course-installed
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.course-installed
setup-dev: $(VENV)/.dev-installed system-deps

# Debian packages the browser test (and the PostgreSQL gradebook test) need. Installed when
# we are root with apt-get and they are missing; otherwise the tests that need them say why.
system-deps:
	@bash .ci/system-deps.sh

start: setup
	$(BIN)/qml-course start

test: setup-dev
	$(BIN)/ruff check qmlkit autograder tests benchmarks setup.py build_support book lessons
	$(BIN)/ruff format --check qmlkit autograder tests benchmarks setup.py build_support book lessons
	$(BIN)/mypy
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check qmlkit autograder tests benchmarks setup.py build_support book lessons
	$(BIN)/ruff format --check qmlkit autograder tests benchmarks setup.py build_support book lessons
	$(BIN)/mypy

# The rendered course (Jupyter Book 1.x): every lesson as the learner gets it, executed, with
# dead internal links failing the build. Opens at build/site/_build/html/index.html.
site: setup-dev
	$(PY) book/build.py

# PyTorch, the optional `torch` extra (lesson 14's hybrid cells, the benchmarks' torch
# columns). TORCH_SPEC picks the build: CI pins the CPU build with TORCH_SPEC=torch==2.13.0.
TORCH_SPEC ?= torch
$(VENV)/.torch-installed: pyproject.toml $(VENV)/.dev-installed
	$(PY) -m pip install --quiet '$(TORCH_SPEC)' -e '.[dev,torch]'
	@touch $@

setup-torch: $(VENV)/.torch-installed

# The benchmarks compare against qiskit-machine-learning, PennyLane (course dependencies) and
# PennyLane with PyTorch (the bench extra).
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.torch-installed
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: setup-dev $(VENV)/.bench-installed
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf build dist .pytest_cache test-artifacts
