#!/usr/bin/env bash
# cli_parse.sh TLSRPTCTL FIXTURES: the `tlsrptctl parse` command surface: exit codes, JSON Lines
# on stdout, one stderr line per failure naming the input, stdin, --help/--version, and every
# row of ../shared/corpus/EXPECTED.tsv when the corpus is there.
set -u
ctl=$1 fixtures=$2
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

check "--help exits 0" "'$ctl' --help | grep -q 'tlsrptctl COMMAND'"
check "--version prints the version" "'$ctl' --version | grep -Eq '^tlsrptctl [0-9]+\.[0-9]+'"
check "unknown command exits 2" "'$ctl' frobnicate 2>/dev/null; [ \$? = 2 ]"
check "one report, one line" "[ \"\$('$ctl' parse '$fixtures/report.json' | wc -l)\" = 1 ]"
check "two reports, two lines" "[ \"\$('$ctl' parse '$fixtures/mime/two-reports.eml' | wc -l)\" = 2 ]"
check "stdin" "'$ctl' parse < '$fixtures/report.json.gz' | grep -q '\"report-id\":\"2026-03-01_mailer-42\"'"
check "stdin with -" "'$ctl' parse - < '$fixtures/report.zip' | grep -q '\"quirks\":\[\]'"
check "output lines are JSON" "'$ctl' parse '$fixtures/quirks' | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]'"
out=$("$ctl" parse "$fixtures/report.json" "$fixtures/refuse/not-json.json" 2>/tmp/cli_parse_err.$$)
rc=$?
check "a refused input makes exit 1" "[ $rc = 1 ]"
check "good input still printed" "[ \"\$(printf '%s\n' \"\$out\" | wc -l)\" = 1 ]"
check "stderr names the file and reason" "grep -q 'refuse/not-json.json: malformed: not valid JSON' /tmp/cli_parse_err.$$"
check "bad --limit exits 2" "! '$ctl' parse --limit max_nothing=1 '$fixtures/report.json' 2>/dev/null"
rm -f /tmp/cli_parse_err.$$

corpus=${TLSRPT_SHARED_DIR:-$(dirname "$0")/../../shared}/corpus
if [ -f "$corpus/EXPECTED.tsv" ]; then
  while IFS=$'\t' read -r name expect n _; do
    [ "$name" = name ] && continue
    "$ctl" parse "$corpus/files/$name" >/tmp/cli_parse_out.$$ 2>/tmp/cli_parse_err.$$
    rc=$?
    lines=$(wc -l </tmp/cli_parse_out.$$)
    case $expect in
      accept) check "corpus accept $name" "[ $rc = 0 ] && [ $lines = $n ]" ;;
      reject) check "corpus reject $name" "[ $rc = 1 ] && grep -q \"$name\" /tmp/cli_parse_err.$$" ;;
      either) check "corpus either $name" "[ $rc = 0 ] || [ $rc = 1 ]" ;;
    esac
  done < "$corpus/EXPECTED.tsv"
  rm -f /tmp/cli_parse_err.$$ /tmp/cli_parse_out.$$
fi
exit $fail
