#!/usr/bin/env bash
# Fetch Apache Jena Fuseki (org.apache.jena:jena-fuseki-main) and its dependencies from Maven Central
# with mvn, once, into a cache outside the repository, for tests/test_fuseki.py (the second SPARQL
# engine: kg push to it, every named query compared with the local answers). Runs on Java 17 (the
# Debian JRE): take nothing newer than 5.6.0. Never fails the build: where Maven Central cannot be
# reached, it says so and the Fuseki test skips with that reason.
#   KG_FUSEKI_HOME  where the jars go (default ~/.cache/dutygraph/fuseki-$VERSION); lib/*.jar
set -u
VERSION="${KG_FUSEKI_VERSION:-5.6.0}"
HOME_DIR="${KG_FUSEKI_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dutygraph/fuseki-$VERSION}"
if ls "$HOME_DIR"/lib/jena-fuseki-main-*.jar >/dev/null 2>&1; then
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  echo "note: mvn or java is missing (Debian: maven, default-jre-headless); the Fuseki test will be skipped" >&2
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dutygraph</groupId><artifactId>fuseki-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.jena</groupId><artifactId>jena-fuseki-main</artifactId><version>$VERSION</version></dependency>
  </dependencies>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.6.1</version>
  </plugin></plugins></build>
</project>
POM
echo "fetching org.apache.jena:jena-fuseki-main:$VERSION with mvn into $HOME_DIR" >&2
mkdir -p "$HOME_DIR.part/lib"
if timeout 900 mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
     -DoutputDirectory="$HOME_DIR.part/lib" >"$work/mvn.log" 2>&1; then
  rm -rf "$HOME_DIR" && mv "$HOME_DIR.part" "$HOME_DIR"
else
  rm -rf "$HOME_DIR.part"
  echo "note: could not fetch jena-fuseki-main $VERSION from Maven Central ($(grep -o -m1 'Unknown host [^ :]*' "$work/mvn.log" || tail -1 "$work/mvn.log" | cut -c1-160)); the Fuseki test will be skipped" >&2
fi
exit 0
