# The README's two commands are `make demo` and `make test`; both do all the set-up first.
.PHONY: setup demo test bench lint dashboards
SHELL := /bin/bash

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/cangjing up

test: setup
	.venv/bin/pytest -q -p no:cacheprovider

bench: setup
	.venv/bin/python -m benchmarks.run

lint: setup
	.venv/bin/ruff check .

dashboards: setup
	.venv/bin/cangjing dashboards build
