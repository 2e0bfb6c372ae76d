#!/usr/bin/env bash
# Give each platform service its own RabbitMQ user limited to what it needs: it publishes to the events
# exchange only the event types it produces (topic authorisation), so a compromised service cannot forge
# another's events, and only the router may read the departments' whistle queues (they carry contacts).
#
#   deploy/rabbitmq/create_service_users.sh [--prefix whistle] [--vhost /] [--out DIR] [--delete] [SERVICE ...]
#
# SERVICEs: intake router notifier reports (default: all four). User names are <prefix>-svc-<service>.
# A password comes from SVC_PASSWORD_<SERVICE> (upper case) or is generated and written to
# DIR/<user>.password (mode 600, default DIR var/secrets), never printed. Re-running updates password and
# permissions; --delete removes the users. Point each service at its own user:
#   RABBITMQ_URL=amqp://whistle-svc-intake:PASSWORD@rabbit:5672/   (and so on for the other three)
#
# Every service declares the whole topology at start (so nothing published before a consumer first ran is
# lost). Declaring a queue needs `configure` on it and, because the queues dead-letter, `read` on it and
# `write` on the dead-letter exchange; so each service may declare, bind and read every platform service
# queue. What differs is what it may publish. Department users: create_department_users.sh.
set -euo pipefail
# shellcheck source=users_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/users_lib.sh"

prefix="${WHISTLE_AMQP_PREFIX:-whistle}"
vhost="/"
out="var/secrets"
delete=0
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --vhost) vhost="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --delete) delete=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) services+=("$1"); shift ;;
  esac
done
[ ${#services[@]} -gt 0 ] || services=(intake router notifier reports)

command -v rabbitmqctl >/dev/null || { echo "rabbitmqctl not found: run this on the broker host" >&2; exit 1; }

esc() { printf '%s' "$1" | sed 's/[.[\]*^$()+?{}|\\]/\\&/g'; }
p="$(esc "$prefix")"

# The queues each service consumes (contracts/topology.py SERVICE_QUEUES) and the event types it publishes.
reads_of() {
  case "$1" in
    intake) echo 'intake\.case-updates' ;;
    router) echo 'router\.(requests|departments|sla)' ;;
    notifier) echo 'notifier\.cases' ;;
    reports) echo 'reports\.events' ;;
  esac
}
# The queues it declares (and so must be able to read): every service queue; the router also the departments'.
declares_of() {
  case "$1" in
    router) echo '(intake|router|notifier|reports|whistle)\..*' ;;
    *) echo '(intake|router|notifier|reports)\..*' ;;
  esac
}
publishes_of() {
  case "$1" in
    intake) echo '^(request|feedback)\.[a-z_]+\.v1$' ;;
    # the router's own events, whistles, and department replies it received over REST
    router) echo '^(case\.[a-z_]+\.v1|whistle\.[a-z0-9_-]+\.v1|dept\.case\.(accepted|progress|resolved|returned)\.v1)$' ;;
    notifier) echo '^(sla|reminder|notification)\.[a-z_]+\.v1$' ;;
    reports) echo '^hotspot\.[a-z_]+\.v1$' ;;
  esac
}

# rabbitmqctl starts an Erlang node per call (seconds each): list the users once, handle services in parallel.
existing=""
[ "$delete" = 1 ] || existing="$(rabbitmqctl -q list_users | awk '{print $1}')"

# Wait for every background job of this shell; fail when any failed.
wait_all() {
  local status=0 pid
  for pid in $(jobs -p); do wait "$pid" || status=1; done
  return "$status"
}

one() {
  local service="$1" user="${prefix}-svc-$1" var where
  if [ "$delete" = 1 ]; then
    delete_user "$user"
    return 0
  fi
  var="SVC_PASSWORD_$(printf '%s' "$service" | tr 'a-z' 'A-Z')"
  ensure_user "$user" "$var"
  # configure: declare the platform's exchanges and queues (all of them, see above);
  # write: publish to the events and dead-letter exchanges, bind the platform's queues;
  # read: the queues it declares (see above; the dead-letter queue is for operators), the exchanges it binds to.
  rabbitmqctl -q set_permissions -p "$vhost" "$user" "^${p}\\..*" "^${p}\\..*" \
    "^${p}\\.($(declares_of "$service")|events|dlx)\$" >/dev/null &
  # topic authorisation (write = publish): on the events exchange only its own event types; on the
  # dead-letter exchange only its own queues' names (the consumer dead-letters with the queue name as key).
  # Read (= binding keys) stays open: every service binds the whole topology.
  rabbitmqctl -q set_topic_permissions -p "$vhost" "$user" "${prefix}.events" "$(publishes_of "$service")" '.*' \
    >/dev/null &
  rabbitmqctl -q set_topic_permissions -p "$vhost" "$user" "${prefix}.dlx" "^${p}\\.($(reads_of "$service"))\$" '.*' \
    >/dev/null &
  wait_all
  echo "user $user: consumes ${prefix}.$(reads_of "$service" | tr -d '\\'), publishes $(publishes_of "$service") (password: $where)"
}

for service in "${services[@]}"; do
  [ -n "$(reads_of "$service")" ] || { echo "unknown service: $service (intake, router, notifier, reports)" >&2; exit 2; }
done
for service in "${services[@]}"; do
  one "$service" &
done
wait_all
