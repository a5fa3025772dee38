#!/bin/sh
# check_sample_config.sh MILTER SAMPLE: the shipped sample equals `MILTER --dump-config`.
# Regenerate with: build/src/milter/tlsrpt-milter --dump-config > contrib/tlsrpt-milter.conf.sample
set -eu
"$1" --dump-config | diff -u "$2" - && echo "sample configuration is current"
