#!/usr/bin/env bash
# bench/dial-cycle.sh [N=20] - one dial session moving N outbound + N inbound 10 KiB messages through a
# real Postfix ISP (modem emulator on a pty, pppd stand-in): prints the connected time and the line-rate
# minimum for the same octets. Runs the end-to-end test class with a larger message count.
set -euo pipefail
N=${1:-20}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
. appliance/src/main/sh/find-jdk.sh
JAVA_HOME=$(porter_find_jdk); export JAVA_HOME
PORTER_BENCH_MESSAGES=$N mvn -q -B test -pl dialer -am -Dtest=DialCycleEndToEndTest \
    -Dsurefire.failIfNoSpecifiedTests=false >/dev/null 2>&1
grep -h "FIGURE" dialer/target/surefire-reports/*DialCycleEndToEndTest-output.txt
