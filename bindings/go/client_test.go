package dockerclient_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

func TestPingVersionAndAPIVersion(t *testing.T) {
	c := newClient(t)
	if err := c.Ping(); err != nil {
		t.Fatal(err)
	}
	v, err := c.Version()
	if err != nil {
		t.Fatal(err)
	}
	api, err := c.APIVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.Get("ApiVersion") != api || !strings.HasPrefix(api, "1.") || v.Get("Os") != "linux" {
		t.Fatalf("version %v, API %s", *v, api)
	}
	if c.Endpoint() != engine || !strings.HasPrefix(dockerclient.LibraryVersion(), "0.") {
		t.Fatalf("endpoint %s, library %s", c.Endpoint(), dockerclient.LibraryVersion())
	}
}

func TestNewClientFromEnvReadsDockerHost(t *testing.T) {
	t.Setenv("DOCKER_HOST", engine)
	t.Setenv("DOCKER_API_VERSION", "1.40")
	c, err := dockerclient.NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if api, err := c.APIVersion(); err != nil || api != "1.40" {
		t.Fatalf("DOCKER_API_VERSION=1.40 gave %s, %v", api, err)
	}
	if _, err := c.InspectImage(baseImage); err != nil {
		t.Fatal(err)
	}
	pinned, err := dockerclient.NewVersionedClientFromEnv("1.39")
	if err != nil {
		t.Fatal(err)
	}
	defer pinned.Close()
	if api, err := pinned.APIVersion(); err != nil || api != "1.39" || pinned.Endpoint() != engine {
		t.Fatalf("NewVersionedClientFromEnv(1.39): %s, %v, endpoint %s", api, err, pinned.Endpoint())
	}
}

func TestNewTLSClient(t *testing.T) {
	endpoint, certs := os.Getenv("DC_TEST_TLS"), os.Getenv("DC_TEST_CERTS")
	if endpoint == "" || certs == "" {
		t.Fatal("DC_TEST_TLS and DC_TEST_CERTS are not set")
	}
	c, err := dockerclient.NewTLSClient(endpoint, filepath.Join(certs, "cert.pem"), filepath.Join(certs, "key.pem"), filepath.Join(certs, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.InspectImage(baseImage); err != nil {
		t.Fatal(err)
	}
	// A CA that did not sign the daemon's certificate: a transport failure.
	wrong, err := dockerclient.NewTLSClient(endpoint, filepath.Join(certs, "cert.pem"), filepath.Join(certs, "key.pem"), filepath.Join(certs, "wrong-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	if err := wrong.Ping(); !errors.Is(err, dockerclient.ErrTransport) {
		t.Fatalf("ping with the wrong CA: %v", err)
	}
}

func TestErrorsCarryClassHTTPStatusAndDaemonMessage(t *testing.T) {
	c := newClient(t)
	missing := uniqueRepo("missing") + ":1"
	_, err := c.InspectImage(missing)
	var apiErr *dockerclient.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("not an *Error: %v", err)
	}
	if !errors.Is(err, dockerclient.ErrNotFound) || !errors.Is(err, dockerclient.ErrNoSuchImage) || errors.Is(err, dockerclient.ErrConflict) {
		t.Fatalf("class: %v", err)
	}
	if apiErr.Status != 404 || apiErr.Code != dockerclient.StatusNotFound || !strings.Contains(apiErr.DaemonMessage, missing) ||
		apiErr.APIVersion == "" || !strings.HasPrefix(err.Error(), "NOT_FOUND: ") {
		t.Fatalf("error fields: %+v (%v)", apiErr, err)
	}

	// Refused before sending: no HTTP status.
	v124, err := dockerclient.NewVersionedClient(engine, "1.24")
	if err != nil {
		t.Fatal(err)
	}
	defer v124.Close()
	err = v124.PullImage(dockerclient.PullImageOptions{Repository: "busybox", Tag: "1", Platform: "linux/amd64"}, dockerclient.AuthConfiguration{})
	if !errors.Is(err, dockerclient.ErrUnsupported) || !errors.As(err, &apiErr) || apiErr.Status != 0 || !strings.Contains(apiErr.Message, "1.32") {
		t.Fatalf("platform on API 1.24: %v", err)
	}

	if _, err := dockerclient.NewClient("ftp://nowhere"); !errors.Is(err, dockerclient.ErrInvalidArgument) || !errors.Is(err, dockerclient.ErrInvalidEndpoint) {
		t.Fatalf("bad endpoint: %v", err)
	}
	gone, err := dockerclient.NewClient("unix://" + filepath.Join(t.TempDir(), "absent.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer gone.Close()
	if err := gone.Ping(); !errors.Is(err, dockerclient.ErrTransport) || !errors.Is(err, dockerclient.ErrConnectionRefused) {
		t.Fatalf("ping of a missing socket: %v", err)
	}

	// Every status has a name and is an error of its own class.
	for s := dockerclient.StatusInvalidArgument; s <= dockerclient.StatusInternal; s++ {
		if s.String() == "UNKNOWN" || !errors.Is(&dockerclient.Error{Code: s}, s) {
			t.Fatalf("status %d: %s", s, s)
		}
	}
}

func TestClientTimeoutsAndClose(t *testing.T) {
	c, err := dockerclient.NewClientWithOptions(`{"host": "` + silentDaemon(t) + `", "timeout_ms": 300}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListImages(dockerclient.ListImagesOptions{}); !errors.Is(err, dockerclient.ErrTimeout) || !errors.Is(err, dockerclient.ErrInactivityTimeout) {
		t.Fatalf("list on a silent daemon with a 300 ms limit: %v", err)
	}
	c.SetTimeout(100 * time.Millisecond)
	if err := c.Ping(); !errors.Is(err, dockerclient.ErrTimeout) {
		t.Fatalf("ping after SetTimeout: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.InspectImage(baseImage); err != dockerclient.ErrClientClosed {
		t.Fatalf("call after Close: %v", err)
	}
	if _, err := dockerclient.NewClientWithOptions(`{"host": "` + engine + `", "no_such_option": 1}`); !errors.Is(err, dockerclient.ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "no_such_option") {
		t.Fatalf("unknown client option: %v", err)
	}
}
