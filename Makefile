# Everyday entry points; the README's two commands are scripts/example.sh and scripts/test.sh.
.PHONY: example test bench detector-table validate-real

example:
	bash scripts/example.sh

test:
	bash scripts/test.sh

# Side-by-side benchmark against ../shared/bench/reference.py; writes docs/benchmarks.md.
bench:
	python3 scripts/bench.py

detector-table:
	swift build -c release --product curvefit
	python3 scripts/detector-table.py

validate-real:
	swift build -c release --product curvefit
	python3 scripts/validate-real.py
