#!/usr/bin/env bash
# Installs the system packages curvefit needs, only when they are missing.
set -euo pipefail

if [ -f /usr/include/lapacke.h ] && ldconfig -p 2>/dev/null | grep liblapacke >/dev/null && [ -f /usr/include/zlib.h ] \
  && [ -f /usr/include/openssl/evp.h ]; then
  exit 0
fi
echo "curvefit: installing liblapacke-dev (LAPACK's C interface), zlib1g-dev (gzip logs) and libssl-dev (SHA-256 of inputs)" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq liblapacke-dev zlib1g-dev libssl-dev >&2
