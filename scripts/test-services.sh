#!/usr/bin/env bash
# Bring up what the tests need, run a command, and stop what this script started.
#
#   scripts/test-services.sh                  install what is missing (or say how), then exit
#   scripts/test-services.sh vitest run ...   also start Redis when none answers, run the command,
#                                             stop that Redis however the command ends
#
# Needs `redis-server` and `chromium` (or CHROMIUM_PATH). When one is missing and the user is root on
# Debian or Ubuntu, apt installs it; otherwise the script stops with one line naming the command.
# The tests' Redis is 127.0.0.1:$REDIS_PORT (default 6379), passed on as REDIS_URL. A REDIS_URL set
# by the caller names a Redis of the caller's own: the script then starts none.
set -uo pipefail

port="${REDIS_PORT:-6379}"
own_redis_url="${REDIS_URL:-}"
redis_server="${REDIS_SERVER:-redis-server}"

fail() {
  echo "test-services: $*" >&2
  exit 1
}

is_debian_root() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null &&
    grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null
}

install_missing() {
  local missing=()
  command -v "$redis_server" >/dev/null || missing+=(redis-server)
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file: fix it, or unset it to use chromium from PATH"
  else
    command -v chromium >/dev/null || missing+=(chromium)
  fi
  [ ${#missing[@]} -eq 0 ] && return
  if is_debian_root; then
    echo "test-services: installing ${missing[*]} with apt (once)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
      fail "apt could not install ${missing[*]}: run: apt-get update && apt-get install -y ${missing[*]}"
  else
    fail "the tests need ${missing[*]}: run: sudo apt-get update && sudo apt-get install -y ${missing[*]} (elsewhere install them and put them on PATH, or set CHROMIUM_PATH)"
  fi
}

# PING over bash's /dev/tcp, so no redis-cli is needed; a listener that is not Redis does not count.
redis_answers() {
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r reply <&3
    [[ "$reply" == +PONG* ]]
  ' _ "$port" 2>/dev/null
}

started_pid=""
redis_log=""
stop_started_redis() {
  if [ -n "$started_pid" ]; then
    kill -TERM "$started_pid" 2>/dev/null
    wait "$started_pid" 2>/dev/null
    started_pid=""
  fi
  [ -z "$redis_log" ] || rm -f "$redis_log"
}

start_redis_unless_answering() {
  [ -n "$own_redis_url" ] && return
  export REDIS_URL="redis://127.0.0.1:$port"
  redis_answers && return
  trap stop_started_redis EXIT
  redis_log="$(mktemp)"
  "$redis_server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$redis_log" 2>&1 &
  started_pid=$!
  for _ in $(seq 1 100); do
    if redis_answers; then
      echo "test-services: started redis-server on 127.0.0.1:$port; it stops when the command ends" >&2
      return
    fi
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$started_pid" 2>/dev/null
  wait "$started_pid" 2>/dev/null
  started_pid=""
  fail "redis-server did not start on 127.0.0.1:$port ($(grep -v '^$' "$redis_log" | tail -n 1)): free the port, or run with REDIS_PORT=<another port>"
}

install_missing
[ $# -eq 0 ] && exit 0

start_redis_unless_answering

# The command runs in the background so that a TERM or INT sent to this script reaches it at once
# (bash defers traps while a foreground child runs); the EXIT trap then stops our Redis.
"$@" &
command_pid=$!
trap 'kill -TERM "$command_pid" 2>/dev/null' INT TERM
while kill -0 "$command_pid" 2>/dev/null; do
  wait "$command_pid"
done
wait "$command_pid" # once reaped, bash still answers with the command's exit status
exit $?
