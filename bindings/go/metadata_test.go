package dockerclient_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

func TestListImagesFiltersByReference(t *testing.T) {
	c := newClient(t)
	name := tagBase(t, c, uniqueRepo("list"), "1")

	byFilters, err := c.ListImages(dockerclient.ListImagesOptions{Filters: map[string][]string{"reference": {name}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(byFilters) != 1 || !contains(byFilters[0].RepoTags, name) {
		t.Fatalf("Filters reference=%s listed %+v", name, byFilters)
	}
	// go-dockerclient's legacy Filter field names the same images.
	byFilter, err := c.ListImages(dockerclient.ListImagesOptions{Filter: name, Digests: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(byFilter) != 1 || byFilter[0].ID != byFilters[0].ID {
		t.Fatalf("Filter=%s listed %+v, want %s", name, byFilter, byFilters[0].ID)
	}
	if !strings.HasPrefix(byFilters[0].ID, "sha256:") || byFilters[0].Created == 0 || byFilters[0].Size == 0 {
		t.Fatalf("fields not decoded: %+v", byFilters[0])
	}

	all, err := c.ListImages(dockerclient.ListImagesOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	top, err := c.ListImages(dockerclient.ListImagesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < len(top) || len(top) == 0 {
		t.Fatalf("All listed %d images, the default %d", len(all), len(top))
	}
}

func TestInspectImageDecodesGoDockerclientFields(t *testing.T) {
	c := newClient(t)
	img, err := c.InspectImage(baseImage)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(img.ID, "sha256:") || !contains(img.RepoTags, baseImage) {
		t.Fatalf("ID/RepoTags: %+v", img)
	}
	if img.Created.IsZero() || img.OS != "linux" || img.Architecture == "" || img.Size == 0 {
		t.Fatalf("Created/Os/Architecture/Size: %+v", img)
	}
	if img.Config == nil || img.RootFS == nil || len(img.RootFS.Layers) == 0 {
		t.Fatalf("Config/RootFS: %+v", img)
	}
	t.Logf("%s: %d layers, created %s, cmd %v", baseImage, len(img.RootFS.Layers), img.Created, img.Config.Cmd)
}

func TestImageHistory(t *testing.T) {
	c := newClient(t)
	img, err := c.InspectImage(baseImage)
	if err != nil {
		t.Fatal(err)
	}
	history, err := c.ImageHistory(baseImage)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) == 0 || history[0].ID != img.ID || history[0].Created == 0 {
		t.Fatalf("history of %s (%s): %+v", baseImage, img.ID, history)
	}
	if _, err := c.ImageHistory(uniqueRepo("absent") + ":1"); !errors.Is(err, dockerclient.ErrNoSuchImage) {
		t.Fatalf("history of a missing image: %v", err)
	}
}

func TestTagImageThenRemoveImage(t *testing.T) {
	c := newClient(t)
	base, err := c.InspectImage(baseImage)
	if err != nil {
		t.Fatal(err)
	}
	repo := uniqueRepo("tag")
	removeAtEnd(t, c, repo+":a")
	removeAtEnd(t, c, repo+":b")
	// The tag inside Repo, and the tag as its own field.
	if err := c.TagImage(baseImage, dockerclient.TagImageOptions{Repo: repo + ":a"}); err != nil {
		t.Fatal(err)
	}
	if err := c.TagImage(baseImage, dockerclient.TagImageOptions{Repo: repo, Tag: "b", Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{repo + ":a", repo + ":b"} {
		img, err := c.InspectImage(name)
		if err != nil || img.ID != base.ID {
			t.Fatalf("%s: %v, id %v, want %s", name, err, img, base.ID)
		}
	}

	if err := c.RemoveImage(repo + ":a"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InspectImage(repo + ":a"); !errors.Is(err, dockerclient.ErrNoSuchImage) {
		t.Fatalf("inspect after remove: %v", err)
	}
	if err := c.RemoveImageExtended(repo+":b", dockerclient.RemoveImageOptions{NoPrune: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InspectImage(baseImage); err != nil {
		t.Fatalf("removing a tag removed the image: %v", err)
	}
}

func TestRemoveImageConflictAndForce(t *testing.T) {
	c := newClient(t)
	repo := uniqueRepo("conflict")
	id := importImage(t, c, repo+":1", "conflict "+runPrefix)
	if err := c.TagImage(id, dockerclient.TagImageOptions{Repo: repo, Tag: "2"}); err != nil {
		t.Fatal(err)
	}
	removeAtEnd(t, c, repo+":2")

	// An ID with two names: the daemon refuses without force.
	err := c.RemoveImage(id)
	var apiErr *dockerclient.Error
	if !errors.Is(err, dockerclient.ErrConflict) || !errors.As(err, &apiErr) || apiErr.Status != 409 || apiErr.DaemonMessage == "" {
		t.Fatalf("remove by ID of a twice-tagged image: %v (%+v)", err, apiErr)
	}
	if err := c.RemoveImageExtended(id, dockerclient.RemoveImageOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InspectImage(id); !errors.Is(err, dockerclient.ErrNotFound) {
		t.Fatalf("inspect after a forced remove: %v", err)
	}
}

func TestTagImageRefusesADigestBeforeSending(t *testing.T) {
	c := newClient(t)
	err := c.TagImage(baseImage, dockerclient.TagImageOptions{Repo: uniqueRepo("digest") + "@sha256:" + strings.Repeat("a", 64)})
	var apiErr *dockerclient.Error
	if !errors.Is(err, dockerclient.ErrInvalidArgument) || !errors.As(err, &apiErr) || apiErr.Status != 0 {
		t.Fatalf("digest target: %v", err)
	}
}

func TestPruneImagesRemovesOnlyLabelledDanglingImages(t *testing.T) {
	c := newClient(t)
	label := "dc.go.prune=" + runPrefix
	repo := uniqueRepo("prune")
	removeAtEnd(t, c, repo+":1")
	build := func(n int) string {
		dir := writeFiles(t, "Dockerfile", fmt.Sprintf("FROM %s\nLABEL dc.go.prune=%s n=%d\n", baseImage, runPrefix, n))
		result, err := c.BuildImageWithResult(dockerclient.BuildImageOptions{ContextDir: dir, Name: repo + ":1", BuilderVersion: "1"})
		if err != nil {
			t.Fatal(err)
		}
		return result.ID
	}
	first := build(1)
	second := build(2) // takes the tag: the first image is now dangling
	if first == second {
		t.Fatalf("two builds gave one image %s", first)
	}

	results, err := c.PruneImages(dockerclient.PruneImagesOptions{Filters: map[string][]string{"label": {label}}})
	if err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, d := range results.ImagesDeleted {
		deleted = append(deleted, d.Deleted)
	}
	if !contains(deleted, first) || contains(deleted, second) {
		t.Fatalf("pruned %v; want %s and not %s", deleted, first, second)
	}
	if _, err := c.InspectImage(repo + ":1"); err != nil {
		t.Fatalf("the tagged image was pruned: %v", err)
	}
	t.Logf("reclaimed %d bytes", results.SpaceReclaimed)
}

func TestSearchImagesThroughTheDaemon(t *testing.T) {
	index := startIndex(t)
	c := newClient(t)
	results, err := c.SearchImages(index.host + "/dcgo")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != indexResults || results[1].Name != "dcgo/r1" || results[1].Description != "result 1" ||
		results[1].StarCount != 1 || results[0].IsOfficial != true {
		t.Fatalf("search results: %+v", results)
	}
	results, err = c.SearchImagesEx(index.host+"/dcgo", dockerclient.AuthConfiguration{Username: "u", Password: "p", ServerAddress: index.host})
	if err != nil || len(results) != indexResults {
		t.Fatalf("SearchImagesEx: %v, %d results", err, len(results))
	}
	if q := index.queries(); len(q) != 2 || q[0] != "dcgo" || q[1] != "dcgo" {
		t.Fatalf("the index was asked %v", q)
	}
}

// ---- a v1 registry index on 127.0.0.1 (the engine treats such registries as insecure and
// asks http://127.0.0.1:PORT/v1/search after its HTTPS attempt fails) ----------------------

const indexResults = 6

type fakeIndex struct {
	host string
	mu   sync.Mutex
	seen []string // the "q" of each search
}

func (f *fakeIndex) queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func startIndex(t *testing.T) *fakeIndex {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &fakeIndex{host: l.Addr().String()}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go f.serve(conn)
		}
	}()
	return f
}

func (f *fakeIndex) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	first, err := r.Peek(1)
	if err != nil || first[0] == 0x16 { // a TLS handshake: close, the daemon falls back to HTTP
		return
	}
	request, err := r.ReadString('\n')
	if err != nil {
		return
	}
	for {
		h, err := r.ReadString('\n')
		if err != nil || strings.TrimSpace(h) == "" {
			break
		}
	}
	target := strings.Fields(request)[1]
	body := "{}"
	if u, err := url.Parse(target); err == nil && u.Path == "/v1/search" {
		f.mu.Lock()
		f.seen = append(f.seen, u.Query().Get("q"))
		f.mu.Unlock()
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"num_results": %d, "query": %q, "results": [`, indexResults, u.Query().Get("q"))
		for i := 0; i < indexResults; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name": "dcgo/r%d", "description": "result %d", "star_count": %d, "is_official": %t, "is_automated": false}`,
				i, i, i, i%2 == 0)
		}
		b.WriteString("]}")
		body = b.String()
	}
	fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
