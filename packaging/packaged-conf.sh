#!/bin/sh
# packaged-conf.sh milter|httpd PROGRAM: prints the /etc/tlsrpt-milter.conf or
# /etc/tlsrpt-httpd.conf of the Debian package: the program's own commented sample
# (--dump-config, so every setting and its help is there) with what the package needs set (the
# milter: socket, user, database and a report address; the receiver: the database). Fails when
# a setting it fills in is missing from the sample, so the package cannot silently ship a
# different file.
set -eu
kind=$1
program=$2
sample=$("$program" --dump-config)
case $kind in
milter)
  keys="Socket UserID Database ReportAddresses"
  out=$(printf '%s\n' "$sample" | sed \
    -e 's|^#Socket .*|Socket unix:/run/tlsrpt-milter/tlsrpt-milter.sock|' \
    -e 's|^#UserID .*|UserID tlsrpt-milter|' \
    -e 's|^#\{0,1\}Database .*|Database dbname=tlsrpt|' \
    -e 's|^#ReportAddresses .*|# Set this to the rua=mailto: address of your _smtp._tls TXT records.\nReportAddresses tlsrpt@localhost|')
  note="# Debian: the systemd unit starts the milter as tlsrpt-milter; see README.Debian."
  ;;
httpd)
  keys="Database"
  out=$(printf '%s\n' "$sample" | sed -e 's|^#\{0,1\}Database .*|Database dbname=tlsrpt|')
  note="# Debian: tlsrpt-httpd.service (disabled until you enable it) runs it as tlsrpt-httpd."
  ;;
*)
  echo "usage: packaged-conf.sh milter|httpd PROGRAM" >&2
  exit 64
  ;;
esac
for key in $keys; do
  printf '%s\n' "$out" | grep -q "^$key " || { echo "packaged-conf.sh: no $key in the sample" >&2; exit 1; }
done
printf '%s\n' "$note" "$out"
