#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers at RABBITMQ_URL: use it, start the local one, or install and start it.
set -euo pipefail
url="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}"
hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=5672

reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; }

if reachable; then echo "broker: RabbitMQ answers at $host:$port"; exit 0; fi
case "$host" in
  127.0.0.1|localhost) ;;
  *) echo "broker: nothing answers at $host:$port (RABBITMQ_URL). Start that broker or unset RABBITMQ_URL to use a local one." >&2; exit 1 ;;
esac
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "broker: rabbitmq-server is not installed; installing it from Debian packages (apt-get install -y rabbitmq-server) ..."
    apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq rabbitmq-server >/dev/null
  else
    echo "broker: no RabbitMQ at $host:$port and rabbitmq-server is not installed." >&2
    echo "        Install it (sudo apt-get install -y rabbitmq-server) and run 'rabbitmq-server -detached'," >&2
    echo "        or point RABBITMQ_URL at a running broker." >&2
    exit 1
  fi
fi
echo "broker: starting the local RabbitMQ (rabbitmq-server -detached, loopback only) ..."
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached || true
rabbitmqctl await_startup --timeout 90 >/dev/null
for _ in $(seq 1 60); do reachable && { echo "broker: RabbitMQ is up at $host:$port"; exit 0; }; sleep 1; done
echo "broker: RabbitMQ did not start; see /var/log/rabbitmq/" >&2
exit 1
