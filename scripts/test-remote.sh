#!/usr/bin/env bash
# test-remote.sh - REAL ssh and HTTP proxy endpoints in front of the private
# test engine of scripts/test-engine.sh, for the tests of how the library
# reaches remote daemons: ssh:// hosts (ssh + `docker system dial-stdio` on the
# remote side) and HTTP proxies (CONNECT tunnels).
#
# Usage: scripts/test-remote.sh [up|down|env|status]
#
#   up      (default) start whatever is not running, then check everything
#           end to end.  Idempotent: healthy parts are reused.  Needs the test
#           engine up (scripts/test-engine.sh up); writes $T/env.sh.
#   down    stop the private sshd and the three proxies.  Keys, the proxy
#           password and the logs are kept.
#   env     print the exports (same content as $T/env.sh):
#             source <(scripts/test-remote.sh env)
#   status  print what is up; exit status 0 only if everything is up.
#
# Needs root.  Environment knobs: DC_TEST_DIR (as for test-engine.sh),
# DC_TEST_REMOTE_TIMEOUT (seconds to wait, default 120), DC_TEST_SSH_USE_PAM
# (yes|no|auto, default auto: see choose_use_pam).
#
# Everything lives in $T = $DC_TEST_DIR/remote (/tmp/dockerclient-test/remote).
# What runs, all bound to 127.0.0.1 only:
#   * a private sshd (Debian openssh-server) on port 25022: its own config,
#     host key and authorized key in $T; the machine's /etc/ssh config and its
#     ssh service are never read, changed, started or stopped.  Sessions get
#     DOCKER_HOST=<the test engine's unix socket>, so `docker system
#     dial-stdio` run by the remote side reaches the private test engine.
#     The same sshd also listens on 25023, where sessions get a PATH without
#     docker: the "no docker on the remote" case (exit 127, "command not found").
#   * client side: OpenSSH reads ~/.ssh/config from the passwd home, not from
#     $HOME, so $T/bin/ssh is a wrapper `ssh -F $T/ssh_config` (key, known
#     hosts, BatchMode).  Put $T/bin first in PATH for the library or the
#     docker CLI to use it.  $T/bin-unknown-host/ssh is the same with an empty
#     known_hosts file: ssh refuses with "Host key verification failed.".
#   * three tinyproxy instances (Debian tinyproxy), each `tinyproxy -d`:
#       25080  permissive (every CONNECT port), LogLevel Info to $T/proxy.log,
#       25081  refusing: ConnectPort 443 only, so CONNECT to the engine's
#              ports gets "403 Access violation",
#       25082  BasicAuth dcproxy <random password>: 407 without credentials.
#   * the name dctest-daemon.internal -> 127.0.0.1 in /etc/hosts (appended
#     once, marked with a comment; `down` leaves it).  Go's proxy logic (the
#     docker CLI) never proxies "localhost" or loopback IP literals, so tests
#     that compare with the CLI need a non-loopback-looking name for the
#     daemon; tinyproxy resolves it through /etc/hosts like everything else.
#     The engine's TLS certificate names only 127.0.0.1 and localhost.
#
# Installing: openssh-server and tinyproxy are installed with apt-get when
# their binaries are missing.  While installing, a temporary
# /usr/sbin/policy-rc.d (exit 101) keeps the packages from starting their
# system services, unless the machine already has such a file (Docker images
# do).  The system tinyproxy service a fresh install enabled is disabled; the
# system ssh service is left as the package set it up (enabled, not started).

set -euo pipefail
set +m # no job control: background jobs must not lead a process group (see spawn)

log() { printf 'test-remote: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ----------------------------------------------------------------- settings
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The engine's endpoints (DC_TEST_DIR, DC_TEST_UNIX, DC_TEST_TCP, ...): only
# printed by test-engine.sh, nothing is started by this.
ENGINE_ENV=$(bash "$HERE/test-engine.sh" env) || die "could not read 'test-engine.sh env'"
eval "$ENGINE_ENV"

T=$DC_TEST_DIR/remote
ENGINE_SOCK=${DC_TEST_UNIX#unix://}
ENGINE_TCP=${DC_TEST_TCP#tcp://} # 127.0.0.1:23750, the plain (non-TLS) endpoint
ENGINE_TCP_PORT=${ENGINE_TCP##*:}
SSH_PORT=25022
SSH_NODOCKER_PORT=25023
PROXY_PORT=25080
PROXY_REFUSING_PORT=25081
PROXY_AUTH_PORT=25082
PROXY_USER=dcproxy
DAEMON_NAME=dctest-daemon.internal
SSHD=/usr/sbin/sshd # absolute: sshd re-executes itself and refuses a relative path
TINYPROXY=/usr/bin/tinyproxy
# What sessions of the private sshd see (SetEnv overrides sshd's default PATH).
REMOTE_PATH=/usr/local/bin:/usr/bin:/bin
# Seconds to wait for everything: a guard against a hang, not a speed expectation.
TIMEOUT=${DC_TEST_REMOTE_TIMEOUT:-120}
DAEMON_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ------------------------------------------------------------ process helpers
SPAWN_TAG=test-remote.sh
SPAWN_HOME=$T
# shellcheck source=lib/daemons.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

# adopt PIDFILE CMD...: when PIDFILE is stale or lost but a process with
# exactly this command line runs (ours, from an earlier up), write its pid back
# instead of failing later on its port.
adopt() {
    local pidfile=$1 want p c
    shift
    pid_of "$pidfile" "$*" >/dev/null && return 0
    want="$* "
    for p in /proc/[0-9]*; do
        c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
        if [[ $c == "$want" ]] && alive "${p#/proc/}"; then
            log "found ${pidfile##*/} stale, but $1 runs as pid ${p#/proc/} with our config: reusing it"
            echo "${p#/proc/}" >"$pidfile"
            return 0
        fi
    done
    return 0
}

# port_busy PORT: something accepts connections on 127.0.0.1:PORT.
port_busy() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# need_free_port PORT WHAT: die with who holds PORT when it is taken.
need_free_port() {
    port_busy "$1" || return 0
    local who
    who=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -n 1 || true)
    die "port 127.0.0.1:$1 (for $2) is in use by something else${who:+ ($who)}; free it first"
}

# put FILE: write stdin to FILE if it differs; sets CHANGED=1 when it did.
put() {
    local new
    new=$(cat)
    CHANGED=0
    if [[ -f $1 ]] && [[ $(cat "$1") == "$new" ]]; then
        return 0
    fi
    printf '%s\n' "$new" >"$1"
    CHANGED=1
}

# ---------------------------------------------------------------- packages

# install PKG...: apt-get install without letting the packages start their
# system services (see the header).
install_packages() {
    local own_policy=0 rc=0
    log "installing $*"
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '%s\n' '#!/bin/sh' '# temporary, from test-remote.sh: start no service while installing' \
            'exit 101' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"; } >&2 || rc=$?
    ((own_policy)) && rm -f /usr/sbin/policy-rc.d
    ((rc == 0)) || die "apt-get install $* failed"
}

# The system tinyproxy service of a fresh install: disabled, and stopped if
# something started it anyway (a policy-rc.d that allows starts).
disable_system_tinyproxy() {
    local pid
    if [[ -d /run/systemd/system ]]; then
        systemctl disable --now tinyproxy.service >/dev/null 2>&1 || true
    else
        systemctl disable tinyproxy.service >/dev/null 2>&1 || true
        update-rc.d tinyproxy disable >/dev/null 2>&1 || true
    fi
    if pid=$(pid_of /run/tinyproxy/tinyproxy.pid /etc/tinyproxy/tinyproxy.conf) ||
        pid=$(pid_of /run/tinyproxy/tinyproxy.pid tinyproxy); then
        log "stopping the system tinyproxy service the package started (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
    fi
}

ensure_packages() {
    local missing=()
    [[ -x $SSHD ]] || missing+=(openssh-server)
    [[ -x $TINYPROXY ]] || missing+=(tinyproxy)
    command -v ssh-keygen >/dev/null || missing+=(openssh-client)
    command -v curl >/dev/null || missing+=(curl)
    ((${#missing[@]} == 0)) && return 0
    install_packages "${missing[@]}"
    [[ " ${missing[*]} " == *" tinyproxy "* ]] && disable_system_tinyproxy
    [[ -x $SSHD && -x $TINYPROXY ]] || die "$SSHD or $TINYPROXY still missing after apt-get"
}

# -------------------------------------------------------------------- state

# Generated once and reused, so env values and known_hosts stay stable.
ensure_keys() {
    if [[ ! -s $T/ssh_host_ed25519_key || ! -s $T/ssh_host_ed25519_key.pub ]]; then
        rm -f "$T/ssh_host_ed25519_key" "$T/ssh_host_ed25519_key.pub"
        ssh-keygen -q -t ed25519 -N '' -C dctest-sshd-host -f "$T/ssh_host_ed25519_key"
    fi
    if [[ ! -s $T/id_ed25519 || ! -s $T/id_ed25519.pub ]]; then
        rm -f "$T/id_ed25519" "$T/id_ed25519.pub"
        ssh-keygen -q -t ed25519 -N '' -C dctest-client -f "$T/id_ed25519"
    fi
    chmod 600 "$T/ssh_host_ed25519_key" "$T/id_ed25519"
    # Letters and digits only: it goes into a proxy URL unescaped.
    if [[ ! -s $T/proxy-auth.password ]]; then
        (umask 077 && openssl rand -hex 12 >"$T/proxy-auth.password")
    fi
}

proxy_password() {
    [[ -s $T/proxy-auth.password ]] || die "$T/proxy-auth.password missing: run '$0 up' first"
    cat "$T/proxy-auth.password"
}

# The machine's resolver must map DAEMON_NAME to 127.0.0.1 (see the header).
ensure_daemon_name() {
    if getent ahostsv4 "$DAEMON_NAME" 2>/dev/null | grep -q '^127\.0\.0\.1 '; then
        return 0
    fi
    grep -qw "$DAEMON_NAME" /etc/hosts 2>/dev/null &&
        die "/etc/hosts names $DAEMON_NAME, but not as 127.0.0.1; fix that line"
    log "adding $DAEMON_NAME -> 127.0.0.1 to /etc/hosts"
    printf '127.0.0.1 %s # dockerclient scripts/test-remote.sh\n' "$DAEMON_NAME" >>/etc/hosts ||
        die "could not append to /etc/hosts"
    getent ahostsv4 "$DAEMON_NAME" | grep -q '^127\.0\.0\.1 ' ||
        die "$DAEMON_NAME still does not resolve to 127.0.0.1 (see /etc/nsswitch.conf)"
}

# ---------------------------------------------------------------------- sshd

# With UsePAM no, sshd itself refuses accounts whose shadow password is locked
# ('!...'), key or not; through PAM (Debian's /etc/pam.d/sshd) a locked
# password does not stop key logins.  PAM is what a real Debian sshd uses, so
# auto means yes, unless key logins failed with it once here (a PAM session
# stack that cannot open sessions in some containers): then ssh_ready fell
# back to no and remembered that in $T/use-pam.
choose_use_pam() {
    case ${DC_TEST_SSH_USE_PAM:-auto} in
    yes | no) echo "$DC_TEST_SSH_USE_PAM" ;;
    auto) [[ $(cat "$T/use-pam" 2>/dev/null) == no ]] && echo no || echo yes ;;
    *) die "DC_TEST_SSH_USE_PAM must be yes, no or auto" ;;
    esac
}

# write_ssh_files: sets SSHD_CHANGED=1 when sshd_config changed.
write_ssh_files() {
    local q penalties=""
    # OpenSSH >= 9.8 refuses, for a while, sources whose connections failed
    # auth or never tried (what "host key unknown" tests do); tests must not
    # slow each other down, so switch that off where the option exists.
    if $SSHD -T -f /dev/null -h "$T/ssh_host_ed25519_key" -o PerSourcePenalties=no \
        >/dev/null 2>&1; then
        penalties="PerSourcePenalties no"
    fi
    put "$T/sshd_config" <<EOF
# Private sshd of scripts/test-remote.sh; the machine's /etc/ssh is not used.
ListenAddress 127.0.0.1:$SSH_PORT
ListenAddress 127.0.0.1:$SSH_NODOCKER_PORT
HostKey "$T/ssh_host_ed25519_key"
PidFile "$T/sshd.pid"
AuthorizedKeysFile "$T/id_ed25519.pub"
# The state directory may sit below /tmp: world-writable parents fail StrictModes.
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM $(choose_use_pam)
PrintMotd no
PrintLastLog no
X11Forwarding no
LogLevel VERBOSE
# Parallel tests open many connections at once; the default 10:30:100 drops some.
MaxStartups 200
MaxSessions 100
$penalties
# SetEnv keeps the first value it sees, so no global SetEnv: one per port.
Match LocalPort $SSH_PORT
    SetEnv "DOCKER_HOST=$DC_TEST_UNIX" "PATH=$REMOTE_PATH"
Match LocalPort $SSH_NODOCKER_PORT
    SetEnv PATH=/nonexistent
EOF
    SSHD_CHANGED=$CHANGED
    # privilege separation directory (sshd -t checks it too)
    [[ -d /run/sshd ]] || mkdir -m 755 /run/sshd
    $SSHD -t -f "$T/sshd_config" || die "$SSHD -t rejects $T/sshd_config"

    # Client side: the key must be 0600 or ssh ignores it.
    local hostkey
    hostkey=$(cut -d' ' -f1,2 "$T/ssh_host_ed25519_key.pub")
    put "$T/known_hosts" < <(printf '[127.0.0.1]:%s %s\n' \
        "$SSH_PORT" "$hostkey" "$SSH_NODOCKER_PORT" "$hostkey")
    : >"$T/known_hosts.empty"
    local variant kh conf
    for variant in bin bin-unknown-host; do
        kh=$T/known_hosts conf=$T/ssh_config
        if [[ $variant == bin-unknown-host ]]; then
            kh=$T/known_hosts.empty conf=$T/ssh_config.unknown-host
        fi
        put "$conf" <<EOF
# ssh client config of scripts/test-remote.sh (used through $T/$variant/ssh)
Host *
    IdentityFile "$T/id_ed25519"
    IdentitiesOnly yes
    UserKnownHostsFile "$kh"
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
    BatchMode yes
    LogLevel ERROR
    ConnectTimeout 30
EOF
        mkdir -p "$T/$variant"
        q=$(printf '%q' "$conf")
        put "$T/$variant/ssh" <<EOF
#!/bin/bash
# OpenSSH ignores \$HOME for its config: use the private one (scripts/test-remote.sh).
exec /usr/bin/ssh -F $q "\$@"
EOF
        chmod 755 "$T/$variant/ssh"
    done
}

# start_sshd: start it unless it runs with the current config; appends to
# STARTED what it started.
start_sshd() {
    write_ssh_files
    adopt "$T/sshd.pid" "$SSHD" -f "$T/sshd_config" -D -e
    if pid_of "$T/sshd.pid" "$T/sshd_config" >/dev/null; then
        ((SSHD_CHANGED)) || return 0
        log "sshd config changed; restarting sshd"
        stop_pidfile "$T/sshd.pid" "$T/sshd_config" 10
    fi
    rm -f "$T/sshd.pid" # stale
    need_free_port "$SSH_PORT" sshd
    need_free_port "$SSH_NODOCKER_PORT" sshd
    log "starting sshd on 127.0.0.1:$SSH_PORT and :$SSH_NODOCKER_PORT"
    spawn "$T/sshd.log" "$SSHD" -f "$T/sshd_config" -D -e # the command line adopt looks for
    echo "$SPAWNED_PID" >"$T/sshd.pid" # sshd writes the same pid there itself
    STARTED+=(sshd)
}

# ----------------------------------------------------------------- proxies

# start_proxy NAME PORT EXTRA-CONFIG-LINES: like start_sshd.
start_proxy() {
    local name=$1 port=$2 extra=$3
    put "$T/$name.conf" <<EOF
# tinyproxy $name of scripts/test-remote.sh (run in the foreground: tinyproxy -d)
Listen 127.0.0.1
Port $port
Allow 127.0.0.1
User root
Group root
Timeout 3600
MaxClients 100
LogFile "$T/$name.log"
LogLevel Info
DisableViaHeader Yes
$extra
EOF
    adopt "$T/$name.pid" "$TINYPROXY" -d -c "$T/$name.conf"
    if pid_of "$T/$name.pid" "$T/$name.conf" >/dev/null; then
        ((CHANGED)) || return 0
        log "$name config changed; restarting it"
        stop_pidfile "$T/$name.pid" "$T/$name.conf" 10
    fi
    rm -f "$T/$name.pid"
    need_free_port "$port" "$name"
    log "starting $name on 127.0.0.1:$port"
    spawn "$T/$name.out" "$TINYPROXY" -d -c "$T/$name.conf"
    echo "$SPAWNED_PID" >"$T/$name.pid"
    STARTED+=("$name")
}

# ------------------------------------------------------------ health probes
# CONNECT through a proxy (curl -p) to the engine's plain TCP endpoint.
via_proxy() { curl -s --max-time 10 -p "$@" 2>/dev/null || true; }
connect_code() { curl -s -o /dev/null --max-time 10 -w '%{http_connect}' -p "$@" 2>/dev/null || true; }

proxy_ok() {
    [[ $(via_proxy -x "http://127.0.0.1:$PROXY_PORT" "http://$ENGINE_TCP/_ping") == OK ]]
}
proxy_name_ok() {
    [[ $(via_proxy -x "http://127.0.0.1:$PROXY_PORT" "http://$DAEMON_NAME:$ENGINE_TCP_PORT/_ping") == OK ]]
}
proxy_refusing_ok() {
    [[ $(connect_code -x "http://127.0.0.1:$PROXY_REFUSING_PORT" "http://$ENGINE_TCP/_ping") == 403 ]]
}
proxy_auth_ok() {
    [[ -s $T/proxy-auth.password ]] &&
        [[ $(connect_code -x "http://127.0.0.1:$PROXY_AUTH_PORT" "http://$ENGINE_TCP/_ping") == 407 ]] &&
        [[ $(via_proxy -x "http://$PROXY_USER:$(proxy_password)@127.0.0.1:$PROXY_AUTH_PORT" \
            "http://$ENGINE_TCP/_ping") == OK ]]
}
# the key login works (no docker involved)
ssh_login_ok() {
    timeout 30 "$T/bin/ssh" -p "$SSH_PORT" root@127.0.0.1 true </dev/null >/dev/null 2>&1
}

sshd_listening() { port_busy "$SSH_PORT" && port_busy "$SSH_NODOCKER_PORT"; }

# login_works: a key login runs a command, tried for a few seconds.
login_works() {
    local i
    wait_for sshd sshd_listening "$T/sshd.pid" "$T/sshd_config" "$T/sshd.log"
    for ((i = 0; i < 10; i++)); do
        ssh_login_ok && return 0
        sleep 0.5
    done
    return 1
}

# ssh_ready: sshd answers and key logins work; under DC_TEST_SSH_USE_PAM=auto,
# fall back once from UsePAM yes to no (see choose_use_pam).
ssh_ready() {
    login_works && return 0
    if [[ ${DC_TEST_SSH_USE_PAM:-auto} == auto && $(choose_use_pam) == yes ]]; then
        log "key logins fail with UsePAM yes; last lines of $T/sshd.log:"
        tail -n 10 "$T/sshd.log" >&2 || true
        log "retrying with UsePAM no (remembered in $T/use-pam)"
        echo no >"$T/use-pam"
        start_sshd
        login_works && return 0
        rm -f "$T/use-pam" # PAM was not the cause: try yes again next time
    fi
    log "key logins to sshd fail (UsePAM $(choose_use_pam)); last lines of $T/sshd.log:"
    tail -n 20 "$T/sshd.log" >&2 || true
    exit 1
}

# The docker CLI, using only our ssh wrapper and a private CLI config.
remote_docker() {
    env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
        PATH="$T/bin:$PATH" DOCKER_CONFIG="$T/cli-config" "$@"
}

engine_api_version() {
    curl -s --max-time 10 --unix-socket "$ENGINE_SOCK" http://x/version 2>/dev/null |
        grep -o '"ApiVersion":"[^"]*"' | head -n 1 | cut -d'"' -f4
}

# End to end: docker over ssh reaches the test engine; port 25023 has no docker.
check_ssh() {
    local want got out
    want=$(engine_api_version)
    [[ -n $want ]] || die "the test engine does not answer on $ENGINE_SOCK"
    got=$(remote_docker DOCKER_HOST="ssh://root@127.0.0.1:$SSH_PORT" \
        timeout 60 docker version --format '{{.Server.APIVersion}}' 2>&1) || true
    if [[ $got != "$want" ]]; then
        log "docker over ssh: want API version $want, got: $got"
        log "last lines of $T/sshd.log:"
        tail -n 20 "$T/sshd.log" >&2 || true
        exit 1
    fi
    out=$(timeout 30 "$T/bin/ssh" -p "$SSH_NODOCKER_PORT" root@127.0.0.1 \
        docker version </dev/null 2>&1) && die "port $SSH_NODOCKER_PORT runs docker: $out"
    [[ $out == *"command not found"* || $out == *"not found"* ]] ||
        die "port $SSH_NODOCKER_PORT: expected 'command not found', got: $out"
    API_VERSION=$got
}

# ---------------------------------------------------------------------- env
print_env() {
    local kv pw
    pw=$(proxy_password)
    for kv in \
        "DC_TEST_REMOTE_DIR=$T" \
        "DC_TEST_SSH_HOST=ssh://root@127.0.0.1:$SSH_PORT" \
        "DC_TEST_SSH_HOST_NO_DOCKER=ssh://root@127.0.0.1:$SSH_NODOCKER_PORT" \
        "DC_TEST_SSH_BIN=$T/bin" \
        "DC_TEST_SSH_BIN_UNKNOWN_HOST=$T/bin-unknown-host" \
        "DC_TEST_SSH_KEY=$T/id_ed25519" \
        "DC_TEST_SSH_KNOWN_HOSTS=$T/known_hosts" \
        "DC_TEST_SSH_CONFIG=$T/ssh_config" \
        "DC_TEST_SSH_PID_FILE=$T/sshd.pid" \
        "DC_TEST_SSH_LOG=$T/sshd.log" \
        "DC_TEST_PROXY=http://127.0.0.1:$PROXY_PORT" \
        "DC_TEST_PROXY_LOG=$T/proxy.log" \
        "DC_TEST_PROXY_REFUSING=http://127.0.0.1:$PROXY_REFUSING_PORT" \
        "DC_TEST_PROXY_REFUSING_LOG=$T/proxy-refusing.log" \
        "DC_TEST_PROXY_AUTH=http://$PROXY_USER:$pw@127.0.0.1:$PROXY_AUTH_PORT" \
        "DC_TEST_PROXY_AUTH_USER=$PROXY_USER" \
        "DC_TEST_PROXY_AUTH_PASSWORD=$pw" \
        "DC_TEST_PROXY_AUTH_LOG=$T/proxy-auth.log" \
        "DC_TEST_DAEMON_NAME=$DAEMON_NAME"; do
        printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
    done
}

# ----------------------------------------------------------------- commands
need_root() { ((EUID == 0)) || die "must run as root"; }

PROXIES=(proxy proxy-refusing proxy-auth)

cmd_up() {
    need_root
    local t0=$SECONDS
    STARTED=()
    [[ -S $ENGINE_SOCK ]] && [[ -n $(engine_api_version) ]] ||
        die "the test engine is not up ($DC_TEST_UNIX): run 'bash scripts/test-engine.sh up' first"
    ensure_packages
    take_lock "$T"
    DEADLINE=$((SECONDS + TIMEOUT))
    ensure_keys
    ensure_daemon_name

    start_sshd
    start_proxy proxy "$PROXY_PORT" ""
    # Only CONNECT to 443 is allowed: the engine's ports get 403.
    start_proxy proxy-refusing "$PROXY_REFUSING_PORT" "ConnectPort 443"
    start_proxy proxy-auth "$PROXY_AUTH_PORT" "BasicAuth $PROXY_USER $(proxy_password)"

    ssh_ready
    wait_for proxy proxy_ok "$T/proxy.pid" "$T/proxy.conf" "$T/proxy.log"
    wait_for "proxy ($DAEMON_NAME)" proxy_name_ok "$T/proxy.pid" "$T/proxy.conf" "$T/proxy.log"
    wait_for proxy-refusing proxy_refusing_ok "$T/proxy-refusing.pid" "$T/proxy-refusing.conf" \
        "$T/proxy-refusing.log"
    wait_for proxy-auth proxy_auth_ok "$T/proxy-auth.pid" "$T/proxy-auth.conf" "$T/proxy-auth.log"
    check_ssh

    print_env >"$T/env.sh"
    if ((${#STARTED[@]} == 0)); then
        log "up in $((SECONDS - t0)) s (already running; docker over ssh: API $API_VERSION); env: $T/env.sh"
    else
        log "up in $((SECONDS - t0)) s (started ${STARTED[*]}; docker over ssh: API $API_VERSION); env: $T/env.sh"
    fi
}

cmd_down() {
    need_root
    take_lock "$T"
    local name
    stop_pidfile "$T/sshd.pid" "$T/sshd_config" 10
    for name in "${PROXIES[@]}"; do
        stop_pidfile "$T/$name.pid" "$T/$name.conf" 10
    done
    log "down (keys, proxy password and logs kept in $T)"
}

cmd_status() {
    local rc=0 pid
    # row NAME PROBE PIDFILE MATCH DETAIL
    row() {
        pid=$(pid_of "$3" "$4") || pid=-
        if "$2"; then
            printf '%-15s up    pid %-7s %s\n' "$1" "$pid" "$5"
        else
            printf '%-15s DOWN  pid %-7s %s\n' "$1" "$pid" "$5"
            rc=1
        fi
    }
    row sshd ssh_login_ok "$T/sshd.pid" "$T/sshd_config" \
        "ssh://root@127.0.0.1:$SSH_PORT (and :$SSH_NODOCKER_PORT without docker)"
    row proxy proxy_ok "$T/proxy.pid" "$T/proxy.conf" "http://127.0.0.1:$PROXY_PORT"
    row proxy-refusing proxy_refusing_ok "$T/proxy-refusing.pid" "$T/proxy-refusing.conf" \
        "http://127.0.0.1:$PROXY_REFUSING_PORT (ConnectPort 443 only)"
    row proxy-auth proxy_auth_ok "$T/proxy-auth.pid" "$T/proxy-auth.conf" \
        "http://127.0.0.1:$PROXY_AUTH_PORT (user $PROXY_USER)"
    row "daemon name" proxy_name_ok "$T/proxy.pid" "$T/proxy.conf" "$DAEMON_NAME:$ENGINE_TCP_PORT via the proxy"
    return "$rc"
}

case ${1:-up} in
up) cmd_up ;;
down) cmd_down ;;
env) print_env ;;
status) cmd_status ;;
-h | --help | help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "unknown command '$1' (up|down|env|status)" ;;
esac
