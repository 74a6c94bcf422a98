#!/usr/bin/env bash
# Builds geows and starts the demo: two regions (us-east, eu-west) in one process on the in-memory
# broker, and a chat page. No broker to install. Flags are passed on (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -DskipTests -pl geows-example-server -am package
exec java -jar geows-example-server/target/geows-example-server.jar "$@"
