package dockerclient_test

// What the tests share: the private test engine's endpoints (scripts/test-engine.sh env),
// names unique to this run, small tar archives made here, and a server that never answers.
// Every test removes the images it makes; TestMain sweeps whatever a failed test left.

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

var (
	engine       string // DC_TEST_UNIX
	baseImage    string // DC_TEST_BASE_IMAGE, a local image no test removes
	registry     string // DC_TEST_REGISTRY, an open registry
	authRegistry string // DC_TEST_AUTH_REGISTRY, an htpasswd registry
	registryUser string
	registryPass string
	runPrefix    = fmt.Sprintf("dcgo-%d", os.Getpid())
)

func TestMain(m *testing.M) {
	for _, v := range []struct {
		dst  *string
		name string
	}{
		{&engine, "DC_TEST_UNIX"}, {&baseImage, "DC_TEST_BASE_IMAGE"}, {&registry, "DC_TEST_REGISTRY"},
		{&authRegistry, "DC_TEST_AUTH_REGISTRY"}, {&registryUser, "DC_TEST_REGISTRY_USER"},
		{&registryPass, "DC_TEST_REGISTRY_PASSWORD"},
	} {
		*v.dst = os.Getenv(v.name)
		if *v.dst == "" {
			fmt.Fprintf(os.Stderr, "%s is not set: run `source <(bash scripts/test-engine.sh env)` first\n", v.name)
			os.Exit(2)
		}
	}
	code := m.Run()
	sweep()
	os.Exit(code)
}

// sweep removes every image whose name carries this run's prefix.
func sweep() {
	c, err := dockerclient.NewClient(engine)
	if err != nil {
		return
	}
	defer c.Close()
	images, err := c.ListImages(dockerclient.ListImagesOptions{All: true})
	if err != nil {
		return
	}
	for _, img := range images {
		for _, tag := range img.RepoTags {
			if strings.Contains(tag, runPrefix) {
				_ = c.RemoveImageExtended(tag, dockerclient.RemoveImageOptions{Force: true})
			}
		}
	}
}

// newClient is a client of the test engine, closed when the test ends.
func newClient(t *testing.T) *dockerclient.Client {
	t.Helper()
	c, err := dockerclient.NewClient(engine)
	if err != nil {
		t.Fatalf("NewClient(%s): %v", engine, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// uniqueRepo is a repository name unique to this run and this use.
func uniqueRepo(what string) string { return runPrefix + "-" + what }

// tagBase gives the base image the name repo:tag and removes that name when the test ends.
func tagBase(t *testing.T, c *dockerclient.Client, repo, tag string) string {
	t.Helper()
	if err := c.TagImage(baseImage, dockerclient.TagImageOptions{Repo: repo, Tag: tag}); err != nil {
		t.Fatalf("TagImage(%s, %s:%s): %v", baseImage, repo, tag, err)
	}
	name := repo + ":" + tag
	removeAtEnd(t, c, name)
	return name
}

// removeAtEnd removes an image (or tag) when the test ends; already gone is fine.
func removeAtEnd(t *testing.T, c *dockerclient.Client, name string) {
	t.Cleanup(func() { _ = c.RemoveImageExtended(name, dockerclient.RemoveImageOptions{Force: true}) })
}

// tarArchive is a tar of the given files (name → content), in name order given.
func tarArchive(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		hdr := &tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), ModTime: time.Unix(1700000000, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, files[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tarNames lists the entries of a tar archive, failing the test when it is not a whole one.
func tarNames(t *testing.T, archive []byte) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("not a whole tar archive (%d bytes): %v", len(archive), err)
		}
		names = append(names, hdr.Name)
	}
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// silentDaemon is a TCP endpoint that accepts connections and never answers; it is closed
// when the test ends.
func silentDaemon(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return "tcp://" + l.Addr().String()
}

// writeFiles makes a directory with the given files (name → content).
func writeFiles(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		if err := os.WriteFile(dir+"/"+files[i], []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lines is an io.Writer keeping each Write as one message (the package promises one progress
// message per Write); safe for one writer at a time.
type lines struct{ msgs []string }

func (l *lines) Write(p []byte) (int, error) {
	l.msgs = append(l.msgs, string(p))
	return len(p), nil
}

func (l *lines) joined() string { return strings.Join(l.msgs, "") }
