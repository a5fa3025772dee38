#!/usr/bin/env bash
# budget.sh TLSRPTCTL: the per-message budget holds for every hostile shape tests/hostile/gen.py
# makes: `tlsrptctl parse` of each uses at most 64 MiB more memory (peak RSS, /usr/bin/time)
# than it uses for an empty input, and every input outside the budget is refused with a reason
# naming the limit. Prints PASS/FAIL lines; exit 1 when any failed.
# Peak RSS is what a cgroup's MemoryMax charges: memory the process touched. meson's
# MALLOC_PERTURB_ makes glibc write every byte malloc hands out and every byte freed, so it
# would count buffers allocated but never touched (simdjson reserves 4 bytes of structural
# index per input byte, and writes only as many as the input has structurals); unset here.
set -u
unset MALLOC_PERTURB_
ctl=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tlsrpt-hostile.XXXXXX)
trap 'rm -rf "$work"' EXIT
bound_kib=$((64 * 1024))
failed=0
# peak_kib FILE: the peak resident set of `tlsrptctl parse FILE`, in KiB
peak_kib() {
  /usr/bin/time -f '%M' -o "$work/time" timeout 120 "$ctl" parse "$1" >/dev/null 2>"$work/err"
  echo $? >"$work/rc"
  tail -n 1 "$work/time"
}
python3 "$here/gen.py" "$work/in" >/dev/null || { echo "FAIL hostile-generate"; exit 1; }
printf '{}' >"$work/idle.json"
idle=$(peak_kib "$work/idle.json")
for f in "$work"/in/*.eml; do
  name=$(basename "$f" .eml)
  peak=$(peak_kib "$f")
  rc=$(cat "$work/rc")
  above=$((peak - idle))
  why=$(head -c 160 "$work/err" | tr '\n' ' ')
  ok=1
  [ "$above" -le "$bound_kib" ] || ok=0
  case "$name" in
    budget-*) [ "$rc" -eq 0 ] || ok=0 ;; # inside the budget: read in full
    *) [ "$rc" -eq 1 ] && grep -qE 'too-large|invalid|malformed|not-a-report' "$work/err" || ok=0 ;;
  esac
  if [ $ok -eq 1 ]; then
    echo "PASS hostile-$name: $((above / 1024)) MiB above idle, exit $rc ${why:+($why)}"
  else
    echo "FAIL hostile-$name: $((above / 1024)) MiB above idle (bound 64), exit $rc: $why"
    failed=1
  fi
done
exit $failed
