#!/usr/bin/env bash
# Give each department system its own RabbitMQ user that can read only its own whistle queue and
# publish only its replies (dept.case.accepted|progress|resolved|returned.v1) to the events exchange.
#
#   deploy/rabbitmq/create_department_users.sh [--prefix whistle] [--vhost /] [--out DIR] [--delete] [CODE ...]
#
# Without CODEs the department codes are read from the organisation file (ROUTER_ORG_FILE or
# deploy/demo/org.yaml). User names are <prefix>-dept-<code>. A password comes from the environment
# variable DEPT_PASSWORD_<CODE> (upper case) or is generated; generated ones are written to
# DIR/<user>.password (mode 600, default DIR var/secrets) and never printed. Re-running updates the
# password and permissions. --delete removes the users instead. Needs rabbitmqctl on this machine.
set -euo pipefail
# shellcheck source=users_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/users_lib.sh"

prefix="${WHISTLE_AMQP_PREFIX:-whistle}"
vhost="/"
out="var/secrets"
delete=0
codes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --vhost) vhost="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --delete) delete=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) codes+=("$1"); shift ;;
  esac
done

command -v rabbitmqctl >/dev/null || { echo "rabbitmqctl not found: run this on the broker host" >&2; exit 1; }

if [ ${#codes[@]} -eq 0 ]; then
  org="${ROUTER_ORG_FILE:-deploy/demo/org.yaml}"
  [ -f "$org" ] || { echo "no department codes given and $org not found" >&2; exit 1; }
  # the `code:` keys of the departments list, one per line
  mapfile -t codes < <(sed -n '/^departments:/,$ s/.*[{ ]code: *\([a-z0-9_-]*\).*/\1/p' "$org")
fi

esc() { printf '%s' "$1" | sed 's/[.[\]*^$()+?{}|\\]/\\&/g'; }
p="$(esc "$prefix")"

# rabbitmqctl starts an Erlang node per call (seconds each): list the users once, handle departments in parallel.
existing=""
[ "$delete" = 1 ] || existing="$(rabbitmqctl -q list_users | awk '{print $1}')"

one() {
  local code="$1" user="${prefix}-dept-$1" var where queue
  if [ "$delete" = 1 ]; then
    delete_user "$user"
    return 0
  fi
  var="DEPT_PASSWORD_$(printf '%s' "$code" | tr 'a-z-' 'A-Z_')"
  ensure_user "$user" "$var"
  queue="^${p}\\.whistle\\.$(esc "$code")\$"
  # configure: (re)declare its own queue only; write: the events exchange only; read: its own queue only.
  rabbitmqctl -q set_permissions -p "$vhost" "$user" "$queue" "^${p}\\.events\$" "$queue" >/dev/null &
  # topic authorisation: on the events exchange it may publish only its replies.
  rabbitmqctl -q set_topic_permissions -p "$vhost" "$user" "${prefix}.events" \
    '^dept\.case\.(accepted|progress|resolved|returned)\.v1$' '^$' >/dev/null &
  wait_all
  echo "user $user: reads ${prefix}.whistle.${code}, publishes dept.case.*.v1 to ${prefix}.events (password: $where)"
}

# Wait for every background job of this shell; fail when any failed.
wait_all() {
  local status=0 pid
  for pid in $(jobs -p); do wait "$pid" || status=1; done
  return "$status"
}

for code in "${codes[@]}"; do
  [[ "$code" =~ ^[a-z0-9_-]+$ ]] || { echo "bad department code: $code" >&2; exit 2; }
done
for code in "${codes[@]}"; do
  one "$code" &
done
wait_all
