#!/usr/bin/env bash
# Install the Debian packages the tests use (headless Chromium and its driver, a CJK font,
# rapper for the Turtle check, LibreOffice Writer to read and make .doc/.wps/.rtf/.odt, Calc and
# poppler-utils to print the 督办台账 and look at it, a Java runtime and Maven for the Fuseki test, Virtuoso's server),
# and mimalloc (the store loader's allocator when installed: a
# national build's bulk load takes a quarter less CPU, see kg/loader.py), when they are missing
# and we may install them.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
fc-list 2>/dev/null | grep -qi "cjk" || need+=(fonts-noto-cjk)
# soffice is one binary for both: check each component's own files
command -v soffice >/dev/null 2>&1 && dpkg -s libreoffice-writer >/dev/null 2>&1 || need+=(libreoffice-writer)
command -v soffice >/dev/null 2>&1 && dpkg -s libreoffice-calc >/dev/null 2>&1 || need+=(libreoffice-calc)
ldconfig -p 2>/dev/null | grep -q "libmimalloc\.so" || need+=(libmimalloc2.0)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
# Virtuoso for tests/test_virtuoso.py: the server binary only (virtuoso-t, isql-vt), which the
# virtuoso-opensource package depends on; it has no service and asks nothing (the test runs its own)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
fuseki() { bash "$(dirname "$0")/fuseki.sh"; }  # Jena Fuseki's jars, cached outside the repository
if [ ${#need[@]} -eq 0 ]; then fuseki; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing ${need[*]}; the tests that need them will be skipped" >&2
  fuseki
  exit 0
fi
echo "installing ${need[*]} (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null || \
  echo "note: could not install ${need[*]}; the tests that need them will be skipped" >&2
fuseki
exit 0
