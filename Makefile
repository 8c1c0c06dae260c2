# Everyday entry points; the README's two commands are scripts/example.sh and scripts/test.sh.
.PHONY: example test bench detector-table validate-real forecast fuzz install

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

# Cuts every real log at 1/2, 1/5, 1/10 and scores the projections of its end (docs/forecasting.md);
# then the leave-one-run-out checks of the interval constants and of the annealing prior, and how
# well each run's truth is measured; the planned end of runs cut at 80%, 90% and 95%; last,
# sixty generated runs whose parameters, schedule, warm-up, noise and logging are drawn at random.
forecast:
	swift build -c release --product curvefit
	python3 scripts/forecast.py --json .build/forecast.json
	python3 scripts/forecast.py --no-declared --json .build/forecast-undeclared.json
	python3 scripts/forecast.py --calibrate .build/forecast.json .build/forecast-undeclared.json
	python3 scripts/forecast.py --prior
	python3 scripts/forecast.py --truth-check
	python3 scripts/forecast.py --late
	python3 scripts/forecast.py --random 60

# libFuzzer over ingest and analysis for FUZZ_SECONDS (default 600); crashers land in
# Tests/Fuzz/crashers/ and should become regression tests.
FUZZ_SECONDS ?= 600
# Extra libFuzzer flags. Tests/Fuzz/lsan.supp silences the one known false leak (the built-in
# console patterns' regular expressions, created once per process by Foundation).
FUZZ_FLAGS ?=
fuzz:
	swift build -c release --scratch-path .build-fuzz --product CurveFitFuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
	  -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
	mkdir -p .build-fuzz/corpus Tests/Fuzz/crashers
	cp Tests/Fuzz/corpus/* .build-fuzz/corpus/
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Fuzz/lsan.supp .build-fuzz/release/CurveFitFuzz .build-fuzz/corpus -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=65536 -timeout=10 -rss_limit_mb=3000 -artifact_prefix=Tests/Fuzz/crashers/ \
	  -print_final_stats=1 $(FUZZ_FLAGS)

# Installs the binary, its manual pages and bash/zsh/fish completions under PREFIX
# (DESTDIR for staging): make install PREFIX=/usr/local
PREFIX ?= /usr/local
MANUALS = .build/plugins/GenerateManual/outputs/curvefit
install:
	bash scripts/install-deps.sh
	swift build -c release --product curvefit
	swift package --allow-writing-to-package-directory generate-manual --multi-page
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/curvefit $(DESTDIR)$(PREFIX)/bin/curvefit
	install -m 644 $(MANUALS)/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	.build/release/curvefit --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/curvefit
	.build/release/curvefit --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_curvefit
	.build/release/curvefit --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/curvefit.fish
