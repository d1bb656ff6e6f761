#!/usr/bin/env bash
# One fault run against a 5-node DynaKV cluster of real processes:
#   faults/run.sh [--minutes M | --seconds S] [--seed S] [--nodes 5] [--network auto|netns|loopback] ...
# Prints SEED= first and one summary line last (ops= acked= lost= resurrected= phantom= diverged=
# converge_s= availability=); exits 0 when every checker passed, 1 when one failed.
# As root, each node runs in its own network namespace (partitions are possible); otherwise all
# nodes share loopback and the nemesis leaves partitions out. See faults/README.md.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
node_jar="$root/dynakv-node/target/dynakv.jar"
faults_jar="$root/dynakv-faults/target/dynakv-faults.jar"

# Namespaces need iproute2 and iptables; install them from Debian's packages when missing.
if [[ $(id -u) == 0 ]] && { ! command -v ip >/dev/null || ! command -v iptables >/dev/null; }; then
  echo "installing iproute2 and iptables…" >&2
  apt-get install -y iproute2 iptables >/dev/null
fi

# The node jar (bin/dynakv rebuilds it when sources changed), then the harness jar.
DYNAKV_BUILD_ONLY=1 "$root/bin/dynakv"
if [[ ! -f "$faults_jar" ]] || [[ -n $(find "$root/dynakv-faults/src/main" "$root/dynakv-faults/pom.xml" -newer "$faults_jar" -print -quit) ]]; then
  echo "building dynakv-faults…" >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl dynakv-node,dynakv-faults -am) >&2
fi

cd "$root"
exec java -jar "$faults_jar" --jar "$node_jar" --out "$root/target/fault-runs" "$@"
