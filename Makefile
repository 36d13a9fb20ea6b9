# The two commands of the README: `make run` and `make test`.
# The first of these interpreters that imports Odoo 18 (`python3` first); PYTHON=... overrides.
ifndef PYTHON
PYTHON := $(firstword $(shell for p in python3 /usr/bin/python3 /usr/local/bin/python3; do command -v $$p >/dev/null \
	&& $$p -c 'import odoo.release as r; assert r.version_info[:2] == (18, 0)' 2>/dev/null && command -v $$p; done; true) python3)
endif
DB ?= real_estate_demo
HTTP_PORT ?= 8069

RUN_PACKAGES := phonenumbers
TEST_PACKAGES := phonenumbers 'pytest=pytest>=8' pytest_odoo=pytest-odoo==2.3.0 websocket=websocket-client freezegun
LINT_PACKAGES := ruff=ruff pylint_odoo=pylint-odoo

.PHONY: run test lint bench prereqs wheels

prereqs:
	@$(PYTHON) scripts/check_prereqs.py

run: prereqs
	@$(PYTHON) scripts/ensure_packages.py $(RUN_PACKAGES)
	@PYTHON=$(PYTHON) DB=$(DB) HTTP_PORT=$(HTTP_PORT) scripts/run-demo

test:
	@$(PYTHON) scripts/check_prereqs.py --tests
	@$(PYTHON) scripts/ensure_packages.py $(TEST_PACKAGES)
	@PYTHON=$(PYTHON) scripts/run-tests

lint:
	@$(PYTHON) scripts/ensure_packages.py $(LINT_PACKAGES)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pylint --rcfile=.pylintrc real_estate_attribution real_estate_channel

bench: prereqs
	@$(PYTHON) scripts/ensure_packages.py $(RUN_PACKAGES)
	@PYTHON=$(PYTHON) scripts/run-bench

# The packages of README's "Installing the addons as a package", in dist/wheels/:
# one whool wheel per addon (as the OCA publishes them) and the root setup.py's wheel.
wheels:
	rm -rf dist/wheels build
	$(PYTHON) -m pip wheel --no-deps -w dist/wheels ./real_estate_attribution ./real_estate_channel .
