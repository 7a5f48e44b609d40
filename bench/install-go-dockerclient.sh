# Sourced by every benchmark script: installs Go and go-dockerclient (Debian's packages; this
# machine reaches no other Go module source) when missing, so a fresh machine can run them.
command -v go >/dev/null || { apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y golang-go; }
[ -d /usr/share/gocode/src/github.com/fsouza/go-dockerclient ] || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y golang-github-fsouza-go-dockerclient-dev
