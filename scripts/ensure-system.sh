#!/usr/bin/env bash
# Debian packages the test suite drives for real (promtool/prometheus for metrics and alert rules).
# Installs only what is missing; needs root (CI and these machines run as root).
set -euo pipefail
need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "ensure-system: missing ${need[*]} and not root" >&2; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
