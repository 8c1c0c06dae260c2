#!/usr/bin/env bash
# Set up on a fresh machine and analyse the example log: install missing system packages,
# build curvefit in release mode, and print its report on a real training log.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build -c release --product curvefit >&2
.build/release/curvefit examples/slm-125m-legal/metrics.jsonl "$@"
