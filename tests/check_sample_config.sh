#!/bin/sh
# check_sample_config.sh PROGRAM SAMPLE: the shipped sample equals `PROGRAM --dump-config`.
# Regenerate: build/src/milter/tlsrpt-milter --dump-config > contrib/tlsrpt-milter.conf.sample
# (and build/src/httpd/tlsrpt-httpd --dump-config > contrib/tlsrpt-httpd.conf.sample)
set -eu
"$1" --dump-config | diff -u "$2" - && echo "sample configuration is current"
