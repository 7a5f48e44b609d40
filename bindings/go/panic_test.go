package dockerclient_test

// A Go panic inside the caller's writer or reader never unwinds through the library: it is
// recovered in the callback, the library stops the call and releases its connection, and the
// panic is raised again, with its own value, in the goroutine that made the call. Counting
// /proc/self/fd before and after many such panics shows no connection is leaked.

import (
	"bytes"
	"io"
	"testing"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

type boom struct{ where string }

// panicking is a writer that panics at its n-th Write.
type panicking struct {
	n, writes int
	value     interface{}
}

func (w *panicking) Write(p []byte) (int, error) {
	w.writes++
	if w.writes >= w.n {
		panic(w.value)
	}
	return len(p), nil
}

// recovered runs f and returns what it panicked with (nil if it did not).
func recovered(f func()) (value interface{}) {
	defer func() { value = recover() }()
	f()
	return nil
}

func TestPanicInAWriterIsRaisedInTheCallerAndLeaksNoFD(t *testing.T) {
	c := newClient(t)
	repo, tag := pushedImage(t, c, "panic")
	removeAtEnd(t, c, repo+":"+tag)
	// Warm up: the client's pool and the runtime's own descriptors exist before counting.
	if err := c.ExportImage(dockerclient.ExportImageOptions{Name: baseImage, OutputStream: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if err := c.PullImage(dockerclient.PullImageOptions{Repository: repo, Tag: tag, OutputStream: io.Discard}, dockerclient.AuthConfiguration{}); err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)

	const rounds = 20
	for i := 0; i < rounds; i++ {
		want := boom{"save"}
		got := recovered(func() {
			_ = c.ExportImage(dockerclient.ExportImageOptions{Name: baseImage, OutputStream: &panicking{n: 2, value: want}})
		})
		if got != want {
			t.Fatalf("save: recovered %#v, want %#v", got, want)
		}
		want = boom{"pull"}
		got = recovered(func() {
			_ = c.PullImage(dockerclient.PullImageOptions{Repository: repo, Tag: tag, OutputStream: &panicking{n: 1, value: want}},
				dockerclient.AuthConfiguration{})
		})
		if got != want {
			t.Fatalf("pull: recovered %#v, want %#v", got, want)
		}
		want = boom{"load"}
		got = recovered(func() {
			_ = c.LoadImage(dockerclient.LoadImageOptions{InputStream: panickingReader{want}})
		})
		if got != want {
			t.Fatalf("load: recovered %#v, want %#v", got, want)
		}
	}

	// The client goes on, and no descriptor is left behind.
	var archive bytes.Buffer
	if err := c.ExportImage(dockerclient.ExportImageOptions{Name: baseImage, OutputStream: &archive}); err != nil {
		t.Fatal(err)
	}
	tarNames(t, archive.Bytes())
	after := openFDs(t)
	t.Logf("open descriptors: %d before %d panicking calls, %d after", before, 3*rounds, after)
	if after > before {
		t.Fatalf("%d descriptors leaked by %d panics", after-before, 3*rounds)
	}
}

type panickingReader struct{ value interface{} }

func (r panickingReader) Read([]byte) (int, error) { panic(r.value) }
