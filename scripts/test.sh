#!/usr/bin/env bash
# Run the whole test suite, installing missing system packages first.
#
# Tests run on an optimised build (with testability enabled for @testable imports): the
# statistical tests refit thousands of curves and are 5-10x slower unoptimised.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build -c release --build-tests -Xswiftc -enable-testing
swift test -c release -Xswiftc -enable-testing --skip-build
