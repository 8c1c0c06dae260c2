#!/usr/bin/env bash
# Installs the system packages curvefit needs, only when they are missing.
set -euo pipefail

if [ -f /usr/include/lapacke.h ] && ldconfig -p 2>/dev/null | grep -q liblapacke; then
  exit 0
fi
echo "curvefit: installing liblapacke-dev (LAPACK's C interface)" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq liblapacke-dev >&2
