#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...]: builds the libFuzzer targets with clang (ASan + UBSan) into
# build-fuzz/ and runs each for SECONDS (default 60) from the project's fixtures:
#   pipeline  tests/fuzz_pipeline.cpp        read_reports, Authentication-Results
#   dkim      tests/fuzz_dkim.cpp            A-R verdicts, key records, the DKIM rule
#   config    tests/milter/fuzz_config.cpp   the milter's configuration parser
# Prints "PASS fuzz-NAME: N runs" or "FAIL fuzz-NAME: ..." per target (a crash leaves its input
# in build-fuzz/NAME-crash-*); exit 1 when any failed. tests/run_all.sh runs it when clang is
# installed; a long run: bash tests/fuzz.sh 3600 pipeline.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pipeline dkim config)
out=$top/build-fuzz
mkdir -p "$out" "$out/corpus-pipeline" "$out/corpus-dkim" "$out/corpus-config"
cd "$top" || exit 1
build=${TLSRPT_BUILD_DIR:-$top/build}
[ -f "$build/tlsrpt_config.h" ] || { echo "FAIL fuzz-setup: $build not configured"; exit 1; }
pkgs="gmime-3.0 simdjson zlib libarchive opendkim libunbound"
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude "-I$build" -Isrc
  $(pkg-config --cflags $pkgs))
libs=($(pkg-config --libs $pkgs) -lpthread)
# the library once (both cores), then each target against its objects
mkdir -p "$out/obj"
export out
printf '%s\n' src/lib/*.cpp | xargs -P 2 -I{} sh -c \
  'clang++ "$@" -c {} -o "$out/obj/$(basename {} .cpp).o"' _ "${flags[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}" \
  >"$out/lib-build.log" 2>&1 || { echo "FAIL fuzz-setup: $(tail -n 3 "$out/lib-build.log")"; exit 1; }
build() { # NAME SOURCES...
  local name=$1
  shift
  clang++ "${flags[@]}" "$@" "$out"/obj/*.o "${libs[@]}" -o "$out/fuzz_$name" \
    >"$out/$name-build.log" 2>&1
}
seeds() { # NAME: seed inputs
  case "$1" in
    pipeline) echo tests/fixtures tests/fixtures/mime ;;
    dkim)
      printf 'reporter.example\nmx.example.com; dkim=pass header.d=reporter.example header.s=s\n' \
        >"$out/corpus-dkim/seed1"
      printf 'google.com\nv=DKIM1; k=rsa; s=tlsrpt; p=AB==\n' >"$out/corpus-dkim/seed2"
      ;;
    config) cp contrib/tlsrpt-milter.conf.sample "$out/corpus-config/sample" ;;
  esac
}
failed=0
for t in "${targets[@]}"; do
  case "$t" in
    pipeline) src=(tests/fuzz_pipeline.cpp) ;;
    dkim) src=(tests/fuzz_dkim.cpp) ;;
    config) src=(tests/milter/fuzz_config.cpp src/milter/config.cpp src/milter/config_settings.cpp
      src/service/config_file.cpp
      src/milter/recipients.cpp -Isrc/milter) ;;
    *) echo "FAIL fuzz-$t: unknown target"; failed=1; continue ;;
  esac
  if ! build "$t" "${src[@]}"; then
    echo "FAIL fuzz-$t: does not build: $(tail -n 3 "$out/$t-build.log" | tr '\n' ' ')"
    failed=1
    continue
  fi
  # shellcheck disable=SC2046
  ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_$t" -max_len=65536 -max_total_time="$secs" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/$t-" -print_final_stats=1 \
    "$out/corpus-$t" $(seeds "$t") >"$out/$t.log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
  if [ $rc -eq 0 ]; then
    echo "PASS fuzz-$t: ${runs:-?} runs in $secs s, no crash, leak or hang"
  else
    echo "FAIL fuzz-$t: exit $rc after ${runs:-?} runs: $(grep -m1 -E 'ERROR|SUMMARY' "$out/$t.log")"
    failed=1
  fi
done
exit $failed
