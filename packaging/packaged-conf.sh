#!/bin/sh
# packaged-conf.sh MILTER: prints the /etc/tlsrpt-milter.conf of the Debian package: the
# milter's own commented sample (--dump-config, so every setting and its help is there) with
# the socket, the user, the database and a report address set. Fails when a setting it fills
# in is missing from the sample, so the package cannot silently ship a different file.
set -eu
milter=$1
sample=$("$milter" --dump-config)
out=$(printf '%s\n' "$sample" | sed \
  -e 's|^#Socket .*|Socket unix:/run/tlsrpt-milter/tlsrpt-milter.sock|' \
  -e 's|^#UserID .*|UserID tlsrpt-milter|' \
  -e 's|^#Database .*|Database dbname=tlsrpt|' \
  -e 's|^#ReportAddresses .*|# Set this to the rua=mailto: address of your _smtp._tls TXT records.\nReportAddresses tlsrpt@localhost|')
for key in Socket UserID Database ReportAddresses; do
  printf '%s\n' "$out" | grep -q "^$key " || { echo "packaged-conf.sh: no $key in the sample" >&2; exit 1; }
done
printf '%s\n' "# Debian: the systemd unit starts the milter as tlsrpt-milter; see README.Debian." "$out"
