#!/bin/bash
# make_cases.sh WORKDIR PORT: generates the DKIM test cases, fresh keys each time, and starts
# nothing. Writes
#   WORKDIR/keys/NAME.key, NAME.pub   the keys (dkimtool.py keygen)
#   WORKDIR/dnsmasq.conf              the zone publishing them (for dns_start in e2e/lib.sh)
#   WORKDIR/resolver                  127.0.0.1:PORT, where verify.sh will serve that zone
#   WORKDIR/cases/NAME.eml            one TLS report email per case, CRLF line ends
#   WORKDIR/cases/EXPECTED            NAME<TAB>RESULT<TAB>AUTHENTICATED(yes|no) per case
# The reporter is reporter.example; signatures use selector "sel" unless the case says otherwise.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 WORKDIR PORT" >&2; exit 2; }
work=$1
here=$(cd "$(dirname "$0")" && pwd)
tool() { /usr/bin/python3 "$here/dkimtool.py" "$@"; }
mkdir -p "$work/keys" "$work/base" "$work/cases"
keys=$work/keys base=$work/base cases=$work/cases
echo "127.0.0.1:$2" >"$work/resolver"
: >"$cases/EXPECTED"

tool keygen "$keys" main --type rsa --bits 2048 # reporter.example
tool keygen "$keys" other --type rsa --bits 1024 # other.example
tool keygen "$keys" mx --type rsa --bits 1024   # mx.reporter.example
tool keygen "$keys" weak --type rsa --bits 512
tool keygen "$keys" ed --type ed25519

tool dns-conf "$work/dnsmasq.conf" --local reporter.example --local other.example \
  --key "sel._domainkey.reporter.example=$keys/main.pub" \
  --key "semail._domainkey.reporter.example=$keys/main.pub:s=email" \
  --key "stlsrpt._domainkey.reporter.example=$keys/main.pub:s=tlsrpt" \
  --key "sstar._domainkey.reporter.example=$keys/main.pub:s=*" \
  --key "sfoo._domainkey.reporter.example=$keys/main.pub:s=foo" \
  --key "weak._domainkey.reporter.example=$keys/weak.pub" \
  --key "ed._domainkey.reporter.example=$keys/ed.pub" \
  --key "sel._domainkey.mx.reporter.example=$keys/mx.pub" \
  --key "sel._domainkey.other.example=$keys/other.pub"

expect() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$cases/EXPECTED"; } # NAME RESULT AUTH

# base NAME CONTACT: the unsigned report email of case NAME, report contact (and From) CONTACT
base() {
  /usr/bin/python3 "$here/../e2e/mail.py" report --id "2026-03-01T00:00:00Z_dkim-$1" \
    --contact "$2" --org reporter.example --domain example.test >"$base/$1.eml"
}
# add NAME RESULT AUTHENTICATED [SIGN-OPTIONS...]: a case signed by reporter.example, key main
# unless the options say otherwise (later options win)
add() {
  local name=$1 result=$2 auth=$3
  shift 3
  [ -f "$base/$name.eml" ] || base "$name" tlsrpt@reporter.example
  tool sign "$base/$name.eml" "$cases/$name.eml" --domain reporter.example --selector sel \
    --key "$keys/main.key" "$@"
  expect "$name" "$result" "$auth"
}

add pass-relaxed pass yes --canon relaxed/relaxed
add pass-simple pass yes --canon simple/simple
add body-changed fail no
tool tamper "$cases/body-changed.eml" "$cases/body-changed.eml" --body
add header-changed fail no
tool tamper "$cases/header-changed.eml" "$cases/header-changed.eml" --header
add length-tag policy no --length
add key-s-email pass yes --selector semail
add key-s-tlsrpt pass yes --selector stlsrpt
add key-s-star pass yes --selector sstar
add key-s-other policy no --selector sfoo
add unaligned pass no --domain other.example --key "$keys/other.key"
base parent-domain tlsrpt@mail.reporter.example
add parent-domain pass yes
add child-domain pass yes --domain mx.reporter.example --key "$keys/mx.key"
# two-signatures: a good signature below a topmost one whose key is not published
add two-signatures pass yes
tool sign "$cases/two-signatures.eml" "$cases/two-signatures.eml" --domain reporter.example \
  --selector missing --key "$keys/main.key"
add no-key permerror no --selector nokey
base unsigned tlsrpt@reporter.example
sed 's/\r*$/\r/' "$base/unsigned.eml" >"$cases/unsigned.eml"
expect unsigned none no
add rsa-sha1 policy no --algo rsa-sha1
add rsa-512 policy no --selector weak --key "$keys/weak.key"
add ed25519 pass yes --selector ed --key "$keys/ed.key" --algo ed25519-sha256
