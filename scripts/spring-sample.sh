#!/usr/bin/env bash
# Builds geows and starts the sample Spring Boot order service (geows-example-spring) with its demo
# profile: the in-memory broker, a client's token is its user id. REST on :8090, WebSocket on :8091.
# Spring Boot options are passed on, e.g. --server.port=9090 --geows.port=9091.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -DskipTests -pl geows-example-spring -am package
exec java -jar geows-example-spring/target/geows-example-spring-exec.jar --spring.profiles.active=demo "$@"
