# Shared by create_service_users.sh and create_department_users.sh (sourced, not run).
# Needs $out (where generated passwords go), $existing (users already on the node) and rabbitmqctl.

# ensure_user USER PASSWORD_VAR: create USER or change its password, from $PASSWORD_VAR when set, else a new
# random one written to $out/USER.password (mode 600). Sets $where to where the password can be found.
ensure_user() {
  local user="$1" var="$2" password
  password="${!var:-}"
  if [ -z "$password" ]; then
    password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)"
    mkdir -p "$out"; umask 077
    printf '%s\n' "$password" > "$out/$user.password"
    where="$out/$user.password"
  else
    where="\$$var"
  fi
  if grep -qx "$user" <<< "$existing"; then
    printf '%s' "$password" | rabbitmqctl -q change_password "$user" >/dev/null 2>&1 \
      || rabbitmqctl -q change_password "$user" "$password" >/dev/null
  else
    rabbitmqctl -q add_user "$user" "$password" >/dev/null
  fi
}

# delete_user USER: remove USER, saying whether it existed.
delete_user() {
  rabbitmqctl -q delete_user "$1" >/dev/null 2>&1 && echo "deleted $1" || echo "no user $1"
}
