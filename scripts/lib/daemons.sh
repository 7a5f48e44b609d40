# Process helpers shared by test-engine.sh and test-remote.sh, which start and stop the test
# daemons (dockerd, containerd, registries, sshd, proxies) as detached processes tracked by pid
# files. Sourced, not run. The sourcing script defines log (one line to stderr) and sets:
#   SPAWN_TAG   its name, written in the log headers spawn adds;
#   SPAWN_HOME  the HOME the daemons get;
#   DAEMON_PATH the PATH the daemons get;
#   TIMEOUT, DEADLINE  (for wait_for) the seconds allowed and the $SECONDS they end at.

# alive PID: the process exists and is not a zombie. (Zombies matter: in containers orphans
# may be reaped late, and dockerd refuses to start while the pid in its pid file "exists".)
alive() {
    local st
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    st=${st##*) }
    [[ -n $st && ${st%% *} != [ZX] ]]
}

# cmdline PID: the command line of a live process. It reads empty for a moment while the
# process execs (e.g. setsid -> env -> dockerd), so retry.
cmdline() {
    local i c
    for ((i = 0; i < 50; i++)); do
        c=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true)
        if [[ -n $c ]] || ! alive "$1"; then break; fi
        sleep 0.02
    done
    printf '%s' "$c"
}

# pid_of PIDFILE MATCH: print the pid in PIDFILE if that process is alive and its command line
# contains MATCH (so a stale pid file, or a recycled pid, reads as "not running").
pid_of() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    [[ $(cmdline "$pid") == *"$2"* ]] || return 1
    echo "$pid"
}

# spawn LOG CMD...: start CMD detached in its own session with a clean environment. stdio goes
# to LOG and fd 9 (the caller's lock) is closed, so neither the caller's pipes nor the lock are
# held by the daemon. setsid does not fork here (without job control a background job is no
# process group leader), so $! is the daemon's pid. Sets SPAWNED_PID.
spawn() {
    local logf=$1; shift
    printf '\n=== %s %s: %s\n' "$SPAWN_TAG" "$(date -u +%FT%TZ)" "$*" >>"$logf"
    setsid env -i PATH="$DAEMON_PATH" HOME="$SPAWN_HOME" LANG=C.UTF-8 "$@" \
        </dev/null >>"$logf" 2>&1 9>&- &
    SPAWNED_PID=$!
    # Until it has exec'd, the child still looks like the calling script; wait so that
    # pid_of's command line check cannot mistake it for a dead daemon.
    local i
    for ((i = 0; i < 200; i++)); do
        [[ $(cmdline "$SPAWNED_PID") == "$1 "* ]] || ! alive "$SPAWNED_PID" && break
        sleep 0.01
    done
}

# stop_pidfile PIDFILE MATCH SECONDS: SIGTERM, wait, then SIGKILL.
stop_pidfile() {
    local pid i
    if pid=$(pid_of "$1" "$2"); then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < $3 * 10; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            log "pid $pid did not stop in $3 s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
        fi
    fi
    rm -f "$1"
}

# wait_for NAME PROBE PIDFILE MATCH LOG: poll PROBE until it succeeds; fail fast if the
# process died, or at the deadline, with the log's tail.
wait_for() {
    local name=$1 probe=$2 pidfile=$3 match=$4 logf=$5
    while ! "$probe"; do
        if ! pid_of "$pidfile" "$match" >/dev/null; then
            log "$name exited; last lines of $logf:"
            tail -n 30 "$logf" >&2 || true
            exit 1
        fi
        if ((SECONDS >= DEADLINE)); then
            log "$name did not answer within $TIMEOUT s; last lines of $logf:"
            tail -n 30 "$logf" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

# take_lock DIR: serialise concurrent up/down (parallel make targets, tests starting the
# daemons at once) on DIR/.lock, held on fd 9 until the script exits.
take_lock() {
    mkdir -p "$1"
    exec 9>"$1/.lock"
    flock -w 300 9 || die "could not lock $1/.lock"
}
