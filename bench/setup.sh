# Sourced by the benchmark scripts (from the repository root): installs go-dockerclient when
# missing, builds the library, starts the private test engine and points DOCKER_HOST and
# DOCKER_CONFIG at it, and finds the docker CLI. Sets $docker_cli.

# shellcheck source=install-go-dockerclient.sh
source bench/install-go-dockerclient.sh

cargo build --release -j2 -q
bash scripts/test-engine.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)
export DOCKER_HOST=$DC_TEST_UNIX
export DOCKER_CONFIG=$DC_TEST_DIR/cli-config
mkdir -p "$DOCKER_CONFIG"
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
docker_cli=/usr/local/bin/docker
[ -x "$docker_cli" ] || docker_cli=$(command -v docker)
