# Bridgework: `make demo` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/bridgework
# The same database on the streaming replica scripts/pg-replica.sh makes (port 5433).
REPLICA_URL ?= $(subst :5432/,:5433/,$(PG_URL))
export PORT

.PHONY: install demo serve test test-postgres test-replica lint bench lock clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Bridgework needs Python 3.11 or newer; $(PYTHON) is older. Try: make PYTHON=python3.12 demo"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable ".[dev]"
	touch $@

var/secret_key:
	mkdir -p var
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

# Venv, install, migrate, demo data, then the web server on http://127.0.0.1:$(PORT) with the
# reminder worker beside it (mail goes to this console unless EMAIL_HOST is set).
demo: install var/secret_key
	SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py migrate --no-input
	SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py seed_demo
	SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@echo "Bridgework demo on http://127.0.0.1:$(PORT) (demo sign-ins: README.md). Ctrl-C stops it."
	SECRET_KEY_FILE=var/secret_key scripts/serve-demo.sh

# The whole suite on SQLite, browser tests included (they need Debian's chromium); the replica
# tests run in test-replica.
test: install
	$(BIN)/pytest -m "not replica"

# The whole suite again on PostgreSQL, in a fresh test database.
test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest --create-db -m "not replica"

# Research reads from a real streaming replica (scripts/pg-replica.sh makes one; .ci/run does).
test-replica: install
	DATABASE_URL=$(PG_URL) DATABASE_REPLICA_URL=$(REPLICA_URL) $(BIN)/pytest --create-db -m replica

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint-only-key-that-never-signs-anything-0123456789abcdef $(BIN)/mypy bridgework
	$(BIN)/lint-imports

# Every benchmark in bench/ (helpers live in bench/_lib/): a few minutes at the default sizes;
# BENCH_SECONDS, BENCH_SCHEDULES, BENCH_RENDERS, BENCH_EXPORT_ROWS, BENCH_LOAD_SECONDS (and the
# other BENCH_LOAD_*) and BENCH_PG_URL change them (bench/README.md). load.py makes and removes a
# PostgreSQL cluster of its own (it needs root or the postgres user, or it is skipped).
# A benchmark that fails (phone.py when a target is missed) does not stop the ones after it;
# make bench fails at the end, naming it.
bench: install
	@failed=""; for script in bench/[!_]*.py; do \
		[ -e "$$script" ] || continue; echo "== $$script"; \
		$(BIN)/python "$$script" || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "Failed:$$failed"; exit 1; fi

# Refresh the pinned versions after changing pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^bridgework' > constraints.txt

clean:
	rm -rf $(VENV) var
