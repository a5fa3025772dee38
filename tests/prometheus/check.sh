#!/usr/bin/env bash
# check.sh: the shipped Prometheus alerting rules (contrib/prometheus/tlsrpt-milter.rules.yml)
# are valid (promtool check rules) and do what tlsrpt-milter.test.yml says (promtool test
# rules: each alert fires on its series and stays quiet on the contrasting ones). promtool is
# Debian's prometheus package (tests/setup_deps.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v promtool >/dev/null || { echo "promtool not installed (apt-get install prometheus)"; exit 1; }
promtool check rules "$here/../../contrib/prometheus/tlsrpt-milter.rules.yml"
cd "$here"
promtool test rules tlsrpt-milter.test.yml
