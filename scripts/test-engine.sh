#!/usr/bin/env bash
# test-engine.sh - a REAL, PRIVATE Docker engine and two REAL local registries
# for the dockerclient tests, `make test`, `make demo` and CI.
#
# Usage: scripts/test-engine.sh [up|down|env|status]
#
#   up      (default) start whatever is not running, wait until everything
#           answers, make sure the base image exists and a container runs,
#           write $DC_TEST_DIR/env.sh.  Idempotent: healthy parts are reused.
#   down    stop the engine, its containerd, the TCP forwarder and both
#           registries; unmount what the engine left under data/ and exec/.
#           Certificates, images and registry contents are kept.
#   env     print the exports (same content as $DC_TEST_DIR/env.sh):
#             eval "$(scripts/test-engine.sh env)"
#   status  print what is up; exit status 0 only if everything is up.
#
# Needs root.  Environment knobs: DC_TEST_DIR, DC_TEST_TIMEOUT (seconds to
# wait, default 600), DC_TEST_STORAGE_DRIVER (force a driver, e.g. vfs).
#
# Everything lives in ${DC_TEST_DIR:-/tmp/dockerclient-test}.  Nothing of a
# system/user Docker (/var/run/docker.sock, /var/lib/docker, /etc/docker/
# daemon.json, /run/containerd/containerd.sock, ~/.docker) is used or touched;
# a user's dockerd and its containers keep running through up/down.  The only
# host paths outside $DIR are ones every engine shares by design: shim
# sockets in /run/containerd/s/ (hashed per containerd address) and the
# plugin discovery dir /run/docker/plugins/ (created empty).
#
# Layout of the engine and why:
#   * dockerd listens on unix://$DIR/docker.sock and, with --tlsverify, on
#     tcp://127.0.0.1:23751.  dockerd has ONE TLS configuration that applies to
#     every tcp:// listener (unix sockets never use TLS), so a second plain
#     tcp:// -H on the same daemon is impossible.  The plain endpoint
#     tcp://127.0.0.1:23750 is therefore a byte-level socat forwarder to the
#     unix socket; the TLS endpoint is dockerd's own TLS.
#   * containerd: dockerd 20.10 only starts its own "managed" containerd when
#     /run/containerd/containerd.sock does not exist; if a system containerd
#     runs (the usual case when the user has Docker installed) it would share
#     that one, in the same "moby" namespace as the user's dockerd.  To never
#     depend on that, this script always runs a private containerd (config,
#     root, state and socket under $DIR) and hands it to dockerd with
#     --containerd.
#   * --config-file $DIR/daemon.json so a user's /etc/docker/daemon.json
#     (hosts, data-root, ...) is never read; it also moves the daemon's trust
#     key away from /etc/docker/key.json.
#   * --bridge=none --iptables=false --ip-masq=false --ip-forward=false: no
#     host networking changes at all (no bridge, no iptables rules, no sysctl).
#     Containers get the "none" or "host" network; tests should use "none"
#     (any other mode works like none but the create response then carries
#     the warning "IPv4 forwarding is disabled. Networking will not work.").
#   * --insecure-registry 127.0.0.0/8: every loopback registry is plain HTTP.
#   * Storage driver overlay2, falling back to vfs when dockerd refuses to
#     start with it (detected from dockerd.log).  The choice is remembered in
#     $DIR/storage-driver because images live per driver.
#   * All daemons run with a clean environment (no HTTP_PROXY, no REGISTRY_*
#     or DOCKER_* overrides leaking in from the caller) and detached with
#     setsid, stdio to log files, so the script returns while they keep running.

set -euo pipefail
set +m # no job control: background jobs must not lead a process group (see spawn)

# ----------------------------------------------------------------- settings
DIR=${DC_TEST_DIR:-/tmp/dockerclient-test}
CERTS=$DIR/certs
SOCK=$DIR/docker.sock
CTRD_SOCK=$DIR/exec/containerd/containerd.sock
TCP_PORT=23750
TLS_PORT=23751
REG_OPEN_PORT=25000
REG_AUTH_PORT=25001
REG_USER=dcuser
REG_PASS=dcpass-Secret1
BASE_IMAGE=dctest/busybox:latest
# Seconds to wait for everything: only a guard against a daemon that hangs, never a speed
# expectation (this machine is shared and noisy, and a first start may install packages).
TIMEOUT=${DC_TEST_TIMEOUT:-600}
DAEMON_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PACKAGES=(docker.io docker-registry busybox-static openssl apache2-utils
          valgrind curl ca-certificates socat)

log() { printf 'test-engine: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------ process helpers
SPAWN_TAG=test-engine.sh
SPAWN_HOME=$DIR
# shellcheck source=lib/daemons.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }

# ----------------------------------------------------------- health probes
docker_ok()     { [[ $(curl -s --max-time 5 --unix-socket "$SOCK" http://x/_ping 2>/dev/null) == OK ]]; }
tcp_ok()        { [[ $(curl -s --max-time 5 "http://127.0.0.1:$TCP_PORT/_ping" 2>/dev/null) == OK ]]; }
tls_ok() {
    [[ $(curl -s --max-time 5 --cacert "$CERTS/ca.pem" --cert "$CERTS/cert.pem" \
        --key "$CERTS/key.pem" "https://127.0.0.1:$TLS_PORT/_ping" 2>/dev/null) == OK ]]
}
ctrd_ok()       { [[ -S $CTRD_SOCK ]] && ctr --address "$CTRD_SOCK" version >/dev/null 2>&1; }
reg_open_ok()   { [[ $(http_code "http://127.0.0.1:$REG_OPEN_PORT/v2/") == 200 ]]; }
# The auth registry must refuse anonymous access and accept the test user.
reg_auth_ok() {
    [[ $(http_code "http://127.0.0.1:$REG_AUTH_PORT/v2/") == 401 ]] &&
        [[ $(http_code -u "$REG_USER:$REG_PASS" "http://127.0.0.1:$REG_AUTH_PORT/v2/") == 200 ]]
}

# -------------------------------------------------------------- packages

# Install what a fresh Debian machine lacks (apt-get update only if needed).
ensure_packages() {
    command -v dpkg-query >/dev/null || { log "no dpkg-query; not checking packages"; return 0; }
    local p missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

# ------------------------------------------------------------- certificates

# sign NAME CN EXTFILE: key + certificate for NAME signed by the test CA.
sign() {
    local name=$1 cn=$2 ext=$3
    openssl req -new -key "$CERTS/$name-key.pem" -subj "/CN=$cn" \
        -out "$CERTS/$name.csr" 2>/dev/null
    openssl x509 -req -in "$CERTS/$name.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
        -set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 \
        -extfile "$ext" -out "$CERTS/$name-cert.pem" 2>/dev/null
    rm -f "$CERTS/$name.csr"
}

# make_ca NAME CN: self-signed CA with a proper v3 CA extension set (rustls /
# webpki reject CA certificates without basicConstraints CA:TRUE).
make_ca() {
    local cnf=$CERTS/.ca.cnf
    printf '%s\n' '[req]' 'distinguished_name=dn' 'x509_extensions=v3_ca' '[dn]' \
        '[v3_ca]' 'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign' \
        'subjectKeyIdentifier=hash' >"$cnf"
    openssl genrsa -out "$CERTS/$1-key.pem" 2048 2>/dev/null
    openssl req -x509 -new -config "$cnf" -key "$CERTS/$1-key.pem" -subj "/CN=$2" \
        -set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 -out "$CERTS/$1.pem"
    rm -f "$cnf"
}

# Generated once and reused: tests may cache them, and dockerd must keep
# trusting the same CA across restarts.
ensure_certs() {
    local f need=0
    for f in ca.pem cert.pem key.pem key-pkcs8.pem server-cert.pem server-key.pem wrong-ca.pem; do
        [[ -s $CERTS/$f ]] || need=1
    done
    ((need)) || return 0
    log "generating certificates in $CERTS"
    mkdir -p "$CERTS"
    make_ca ca "dockerclient test CA"
    make_ca wrong-ca "dockerclient WRONG test CA"

    local ext=$CERTS/.ext.cnf
    openssl genrsa -out "$CERTS/server-key.pem" 2048 2>/dev/null
    printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
        'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
        'subjectAltName=IP:127.0.0.1,DNS:localhost' 'subjectKeyIdentifier=hash' \
        'authorityKeyIdentifier=keyid,issuer' >"$ext"
    sign server localhost "$ext"

    # Client key in PKCS#1 ("BEGIN RSA PRIVATE KEY") as key.pem, the classic
    # docker layout; OpenSSL 3 writes PKCS#8 unless told -traditional
    # (OpenSSL 1.1 has no -traditional and writes PKCS#1 anyway).
    openssl genrsa -traditional -out "$CERTS/client-key.pem" 2048 2>/dev/null ||
        openssl genrsa -out "$CERTS/client-key.pem" 2048 2>/dev/null
    printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
        'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=clientAuth' \
        'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid,issuer' >"$ext"
    sign client dockerclient-test-client "$ext"
    rm -f "$ext"
    mv "$CERTS/client-key.pem" "$CERTS/key.pem"
    mv "$CERTS/client-cert.pem" "$CERTS/cert.pem"
    openssl pkcs8 -topk8 -nocrypt -in "$CERTS/key.pem" -out "$CERTS/key-pkcs8.pem"

    grep -q 'BEGIN RSA PRIVATE KEY' "$CERTS/key.pem" || die "key.pem is not PKCS#1"
    grep -q 'BEGIN PRIVATE KEY' "$CERTS/key-pkcs8.pem" || die "key-pkcs8.pem is not PKCS#8"
    openssl verify -CAfile "$CERTS/ca.pem" "$CERTS/server-cert.pem" "$CERTS/cert.pem" >/dev/null
}

# --------------------------------------------------------------- registries

# write_registry_config NAME PORT [HTPASSWD]
write_registry_config() {
    local name=$1 port=$2 htpasswd=${3:-}
    mkdir -p "$DIR/$name"
    {
        echo "version: 0.1"
        echo "log: {level: info, formatter: text}"
        echo "storage:"
        echo "  filesystem: {rootdirectory: \"$DIR/$name\"}"
        echo "  delete: {enabled: true}"
        echo "http:"
        echo "  addr: 127.0.0.1:$port"
        # fixed secret: no "No HTTP secret provided" noise, stable uploads
        echo "  secret: dockerclient-test-$name"
        echo "  headers: {X-Content-Type-Options: [nosniff]}"
        if [[ -n $htpasswd ]]; then
            echo "auth:"
            echo "  htpasswd: {realm: dockerclient-test, path: \"$htpasswd\"}"
        fi
    } >"$DIR/$name.yml"
}

# start_registry NAME PORT PROBE [HTPASSWD]
start_registry() {
    local name=$1 port=$2 probe=$3 htpasswd=${4:-}
    if pid_of "$DIR/$name.pid" "$DIR/$name.yml" >/dev/null; then
        return 0 # running (maybe still starting); wait_for checks it
    fi
    if "$probe" || [[ $(http_code "http://127.0.0.1:$port/") != 000 ]]; then
        die "port $port answers but is not our registry ($DIR/$name.pid); free it first"
    fi
    write_registry_config "$name" "$port" "$htpasswd"
    log "starting $name on 127.0.0.1:$port"
    spawn "$DIR/$name.log" docker-registry serve "$DIR/$name.yml"
    echo "$SPAWNED_PID" >"$DIR/$name.pid"
}

ensure_htpasswd() {
    local f=$DIR/registry-auth.htpasswd
    # registry 2.8 invents a random password when the file is missing, so it
    # must exist before the registry starts; bcrypt (-B) is what it accepts.
    if [[ ! -s $f ]] || ! htpasswd -vb "$f" "$REG_USER" "$REG_PASS" >/dev/null 2>&1; then
        htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$f"
    fi
}

# -------------------------------------------------------------- containerd
start_containerd() {
    if pid_of "$DIR/containerd.pid" "$DIR/containerd.toml" >/dev/null; then
        return 1 # already running
    fi
    mkdir -p "$DIR/exec/containerd" "$DIR/data/containerd"
    # Same layout dockerd uses for its managed containerd, plus: the opt
    # plugin would otherwise create /opt/containerd, and the CRI plugin is
    # not needed.
    cat >"$DIR/containerd.toml" <<EOF
version = 2
root = "$DIR/data/containerd/daemon"
state = "$DIR/exec/containerd/daemon"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
oom_score = 0

[grpc]
  address = "$CTRD_SOCK"

[debug]
  address = ""

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$DIR/data/containerd/opt"
  [plugins."io.containerd.runtime.v1.linux"]
    shim = "containerd-shim"
    runtime = "runc"
    runtime_root = "$DIR/data/runc"
EOF
    log "starting containerd"
    spawn "$DIR/containerd.log" containerd --config "$DIR/containerd.toml"
    echo "$SPAWNED_PID" >"$DIR/containerd.pid"
    return 0
}

# ------------------------------------------------------------------ dockerd
dockerd_pid() { pid_of "$DIR/docker.pid" "unix://$SOCK"; }

# start_dockerd DRIVER: start dockerd; sets SPAWNED_PID.  dockerd writes
# $DIR/docker.pid itself (it refuses to start if that file names a live pid,
# so we must not write it first).
start_dockerd() {
    mkdir -p "$DIR/data" "$DIR/exec"
    # A config file of our own: never read /etc/docker/daemon.json; keep the
    # trust key (engine ID) out of /etc/docker.
    printf '{\n  "deprecated-key-path": "%s"\n}\n' "$DIR/key.json" >"$DIR/daemon.json"
    spawn "$DIR/dockerd.log" dockerd \
        --config-file "$DIR/daemon.json" \
        -H "unix://$SOCK" -H "tcp://127.0.0.1:$TLS_PORT" \
        --tlsverify --tlscacert "$CERTS/ca.pem" \
        --tlscert "$CERTS/server-cert.pem" --tlskey "$CERTS/server-key.pem" \
        --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
        --containerd "$CTRD_SOCK" \
        --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
        --insecure-registry 127.0.0.0/8 \
        --storage-driver "$1"
}

# libnetwork keeps a record of every container's network sandbox in its store
# and, with the "none" network, does not always delete it with the container:
# one run of the test suite leaves ~140.  A dockerd that stops cleanly drops
# them; one that is killed (as everything is when a session or CI job ends)
# removes them one by one, ~120 ms each, before it answers, so after a few
# runs it took minutes to start.  When no container exists, nothing refers to
# the store (dockerd recreates its "none" and "host" networks), so a fresh
# start forgets it.
forget_stale_sandboxes() {
    local db=$DIR/data/network/files/local-kv.db
    [[ -f $db ]] || return 0
    if [[ -d $DIR/data/containers ]] && [[ -n $(ls -A "$DIR/data/containers") ]]; then
        return 0
    fi
    log "forgetting the network store of a stopped engine (no containers)"
    rm -f "$db"
}

# Start dockerd with the remembered driver, or try overlay2 then vfs.  Waits
# for the unix socket (the driver decision needs to see dockerd come up).
ensure_dockerd() {
    local restart=$1 pid drivers driver logf=$DIR/dockerd.log offset errs
    if pid=$(dockerd_pid); then
        if ((restart == 0)); then
            wait_for dockerd docker_ok "$DIR/docker.pid" "unix://$SOCK" "$logf"
            return 0
        fi
        log "containerd was restarted; restarting dockerd too"
        stop_pidfile "$DIR/docker.pid" "unix://$SOCK" 60
    fi
    if docker_ok; then
        die "$SOCK answers but its dockerd is not in $DIR/docker.pid; run '$0 down' first"
    fi
    # A dockerd that was killed leaves its pid file; dockerd refuses to start
    # while that pid "exists", which includes a not yet reaped zombie.
    rm -f "$DIR/docker.pid"
    forget_stale_sandboxes
    if [[ -n ${DC_TEST_STORAGE_DRIVER:-} ]]; then
        drivers=("$DC_TEST_STORAGE_DRIVER")
    elif [[ -s $DIR/storage-driver ]]; then
        drivers=("$(cat "$DIR/storage-driver")")
    else
        drivers=(overlay2 vfs)
    fi
    for driver in "${drivers[@]}"; do
        log "starting dockerd (storage driver $driver)"
        touch "$logf"
        offset=$(stat -c %s "$logf")
        start_dockerd "$driver"
        while ! docker_ok; do
            if ! alive "$SPAWNED_PID"; then
                # only error lines of this attempt count, e.g.
                # "failed to start daemon: error initializing graphdriver: driver not supported"
                errs=$(tail -c +"$((offset + 1))" "$logf" |
                    grep -E 'failed to start daemon|level=(error|fatal)' |
                    grep -iE 'graphdriver|storage.driver|overlay' || true)
                if [[ -n $errs ]]; then
                    log "dockerd failed with storage driver $driver: $errs"
                    continue 2 # next driver
                fi
                log "dockerd exited; last lines of $logf:"
                tail -n 30 "$logf" >&2
                exit 1
            fi
            if ((SECONDS >= DEADLINE)); then
                log "dockerd did not answer within $TIMEOUT s; last lines of $logf:"
                tail -n 30 "$logf" >&2
                exit 1
            fi
            sleep 0.2
        done
        echo "$driver" >"$DIR/storage-driver"
        return 0
    done
    die "dockerd could not start with any storage driver (${drivers[*]}); see $logf"
}

# -------------------------------------------------------------- TCP forwarder
# Plain (non-TLS) API on 127.0.0.1:$TCP_PORT, forwarded byte for byte to the
# unix socket.  -t 3600: after one side half-closes (e.g. a client closing
# stdin of an attach), keep relaying the other direction instead of socat's
# default 0.5 s.
start_tcp_proxy() {
    if pid_of "$DIR/tcp-proxy.pid" "TCP-LISTEN:$TCP_PORT" >/dev/null; then
        return 0
    fi
    if [[ $(http_code "http://127.0.0.1:$TCP_PORT/") != 000 ]]; then
        die "port $TCP_PORT is already in use by something else"
    fi
    log "starting TCP forwarder on 127.0.0.1:$TCP_PORT"
    spawn "$DIR/tcp-proxy.log" socat -t 3600 \
        "TCP-LISTEN:$TCP_PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$SOCK"
    echo "$SPAWNED_PID" >"$DIR/tcp-proxy.pid"
}

# ---------------------------------------------------------------- base image

# The docker CLI, pointed only at our engine; a private DOCKER_CONFIG keeps
# ~/.docker untouched, and the caller's DOCKER_* variables do not leak in.
dk() {
    env -u DOCKER_HOST -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
        DOCKER_CONFIG="$DIR/cli-config" docker -H "unix://$SOCK" "$@"
}

# A minimal rootfs from the static busybox: /bin/busybox plus one symlink per
# applet (absolute target /bin/busybox, which is right inside the container;
# `busybox --install` would link to the host path instead).
ensure_base_image() {
    if [[ $(http_code --unix-socket "$SOCK" "http://x/images/$BASE_IMAGE/json") == 200 ]]; then
        return 0
    fi
    log "importing $BASE_IMAGE from busybox-static"
    local bb root applet
    bb=$(command -v busybox) || die "busybox not found (package busybox-static)"
    file -L "$bb" 2>/dev/null | grep -q 'dynamically linked' && die "$bb is not static"
    root=$(mktemp -d "$DIR/rootfs.XXXXXX")
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,var,proc,sys,dev,tmp}
    chmod 1777 "$root/tmp"
    chmod 700 "$root/root"
    cp "$bb" "$root/bin/busybox"
    while read -r applet; do
        [[ $applet == */* && $applet != linuxrc ]] || continue
        [[ -e $root/$applet || -L $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
    done < <("$bb" --list-full)
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$root/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
    # Deterministic tar: same layer digest on every machine/run.
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf - . |
        dk import --change 'CMD ["sh"]' - "$BASE_IMAGE" >/dev/null
    rm -rf "$root"
}

verify_container_runs() {
    local out
    if ! out=$(dk run --rm --network none "$BASE_IMAGE" echo ok 2>&1) || [[ $out != ok ]]; then
        log "running a container failed: $out"
        tail -n 20 "$DIR/dockerd.log" >&2 || true
        exit 1
    fi
}

# ---------------------------------------------------------------------- env
print_env() {
    local kv
    for kv in \
        "DC_TEST_DIR=$DIR" \
        "DC_TEST_UNIX=unix://$SOCK" \
        "DC_TEST_TCP=tcp://127.0.0.1:$TCP_PORT" \
        "DC_TEST_TLS=tcp://127.0.0.1:$TLS_PORT" \
        "DC_TEST_CERTS=$CERTS" \
        "DC_TEST_REGISTRY=127.0.0.1:$REG_OPEN_PORT" \
        "DC_TEST_AUTH_REGISTRY=127.0.0.1:$REG_AUTH_PORT" \
        "DC_TEST_REGISTRY_USER=$REG_USER" \
        "DC_TEST_REGISTRY_PASSWORD=$REG_PASS" \
        "DC_TEST_BASE_IMAGE=$BASE_IMAGE"; do
        printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
    done
}

# ----------------------------------------------------------------- commands
need_root() { ((EUID == 0)) || die "must run as root (dockerd needs it)"; }

cmd_up() {
    need_root
    local t0=$SECONDS restart_dockerd=0
    ensure_packages
    take_lock "$DIR"
    DEADLINE=$((SECONDS + TIMEOUT))
    ensure_certs

    ensure_htpasswd
    start_registry registry-open "$REG_OPEN_PORT" reg_open_ok
    start_registry registry-auth "$REG_AUTH_PORT" reg_auth_ok "$DIR/registry-auth.htpasswd"

    if start_containerd; then
        # a fresh containerd knows nothing of a running dockerd's containers
        restart_dockerd=1
    fi
    wait_for containerd ctrd_ok "$DIR/containerd.pid" "$DIR/containerd.toml" "$DIR/containerd.log"
    ensure_dockerd "$restart_dockerd"
    start_tcp_proxy

    wait_for "TLS endpoint" tls_ok "$DIR/docker.pid" "unix://$SOCK" "$DIR/dockerd.log"
    wait_for "TCP forwarder" tcp_ok "$DIR/tcp-proxy.pid" "TCP-LISTEN:$TCP_PORT" "$DIR/tcp-proxy.log"
    wait_for registry-open reg_open_ok "$DIR/registry-open.pid" "$DIR/registry-open.yml" "$DIR/registry-open.log"
    wait_for registry-auth reg_auth_ok "$DIR/registry-auth.pid" "$DIR/registry-auth.yml" "$DIR/registry-auth.log"

    ensure_base_image
    verify_container_runs
    print_env >"$DIR/env.sh"
    log "up in $((SECONDS - t0)) s (storage driver $(cat "$DIR/storage-driver")); env: $DIR/env.sh"
}

# Unmount everything below $DIR/data and $DIR/exec, deepest first.
unmount_all() {
    local mp
    awk -v d="$DIR/data" -v e="$DIR/exec" \
        'index($5, d "/") == 1 || $5 == d || index($5, e "/") == 1 || $5 == e { print $5 }' \
        /proc/self/mountinfo | sort -r | while read -r mp; do
        mp=$(printf '%b' "$mp") # mountinfo escapes spaces as \040
        umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || log "could not unmount $mp"
    done
}

# If dockerd/containerd died, containers keep running; kill them through
# runc with the state roots dockerd uses under OUR exec root (runtime-<name>/
# <namespace>), so no container of another engine is touched.
kill_leftover_containers() {
    local root id
    command -v runc >/dev/null || return 0
    for root in "$DIR"/exec/runtime-*/*/; do
        [[ -d $root ]] || continue
        for id in $(runc --root "$root" list -q 2>/dev/null); do
            log "killing leftover container $id"
            runc --root "$root" delete --force "$id" 2>/dev/null || true
        done
    done
}

# Shims outlive containerd; find the ones serving OUR containerd only.
kill_shims() {
    local p c
    for p in /proc/[0-9]*; do
        # raw read: cmdline() would wait on every kernel thread (empty cmdline)
        c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
        [[ $c == *containerd-shim*" -address $CTRD_SOCK "* ]] &&
            kill -KILL "${p#/proc/}" 2>/dev/null || true
    done
}

cmd_down() {
    need_root
    take_lock "$DIR"
    stop_pidfile "$DIR/tcp-proxy.pid" "TCP-LISTEN:$TCP_PORT" 5
    # dockerd stops its containers (up to 15 s each), so give it time.
    stop_pidfile "$DIR/docker.pid" "unix://$SOCK" 60
    stop_pidfile "$DIR/containerd.pid" "$DIR/containerd.toml" 15
    kill_shims
    kill_leftover_containers
    stop_pidfile "$DIR/registry-open.pid" "$DIR/registry-open.yml" 10
    stop_pidfile "$DIR/registry-auth.pid" "$DIR/registry-auth.yml" 10
    unmount_all
    rm -f "$SOCK" "$CTRD_SOCK"
    log "down (certs, images and registry data kept in $DIR)"
}

cmd_status() {
    local rc=0 pid
    # row NAME PROBE PIDFILE MATCH DETAIL
    row() {
        pid=$(pid_of "$3" "$4") || pid=-
        if "$2"; then
            printf '%-14s up    pid %-7s %s\n' "$1" "$pid" "$5"
        else
            printf '%-14s DOWN  pid %-7s %s\n' "$1" "$pid" "$5"
            rc=1
        fi
    }
    row containerd ctrd_ok "$DIR/containerd.pid" "$DIR/containerd.toml" "$CTRD_SOCK"
    row dockerd docker_ok "$DIR/docker.pid" "unix://$SOCK" \
        "unix://$SOCK (storage $(cat "$DIR/storage-driver" 2>/dev/null || echo '?'))"
    row "dockerd TLS" tls_ok "$DIR/docker.pid" "unix://$SOCK" "tcp://127.0.0.1:$TLS_PORT (--tlsverify)"
    row "TCP forwarder" tcp_ok "$DIR/tcp-proxy.pid" "TCP-LISTEN:$TCP_PORT" "tcp://127.0.0.1:$TCP_PORT"
    row registry reg_open_ok "$DIR/registry-open.pid" "$DIR/registry-open.yml" "127.0.0.1:$REG_OPEN_PORT"
    row "auth registry" reg_auth_ok "$DIR/registry-auth.pid" "$DIR/registry-auth.yml" \
        "127.0.0.1:$REG_AUTH_PORT (user $REG_USER)"
    if docker_ok && [[ $(http_code --unix-socket "$SOCK" "http://x/images/$BASE_IMAGE/json") == 200 ]]; then
        printf '%-14s up    %s\n' "base image" "$BASE_IMAGE"
    else
        printf '%-14s DOWN  %s\n' "base image" "$BASE_IMAGE"
        rc=1
    fi
    return "$rc"
}

case ${1:-up} in
up) cmd_up ;;
down) cmd_down ;;
env) print_env ;;
status) cmd_status ;;
-h | --help | help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "unknown command '$1' (up|down|env|status)" ;;
esac
