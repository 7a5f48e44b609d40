package dockerclient_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

// importImage imports a one-file rootfs as name (removed at the end) and returns its ID.
func importImage(t *testing.T, c *dockerclient.Client, name, content string) string {
	t.Helper()
	result, err := c.ImportImageWithResult(dockerclient.ImportImageOptions{
		Repository:  name,
		Source:      "-",
		InputStream: bytes.NewReader(tarArchive(t, "file.txt", content)),
	})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	removeAtEnd(t, c, name)
	if !strings.HasPrefix(result.ID, "sha256:") {
		t.Fatalf("import result: %+v", result)
	}
	return result.ID
}

func TestImportImageFromAReaderAFileAndWithProgress(t *testing.T) {
	c := newClient(t)
	repo := uniqueRepo("import")
	id := importImage(t, c, repo+":reader", "from a reader "+runPrefix)
	img, err := c.InspectImage(repo + ":reader")
	if err != nil || img.ID != id {
		t.Fatalf("inspect of the import: %v %+v, want %s", err, img, id)
	}

	path := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(path, tarArchive(t, "file.txt", "from a file "+runPrefix), 0o644); err != nil {
		t.Fatal(err)
	}
	var progress lines
	removeAtEnd(t, c, repo+":file")
	err = c.ImportImage(dockerclient.ImportImageOptions{Repository: repo, Tag: "file", Source: path, OutputStream: &progress, RawJSONStream: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.InspectImage(repo + ":file"); err != nil {
		t.Fatal(err)
	}
	if len(progress.msgs) == 0 || !strings.HasPrefix(progress.msgs[len(progress.msgs)-1], "{") {
		t.Fatalf("import progress (JSON): %q", progress.msgs)
	}

	err = c.ImportImage(dockerclient.ImportImageOptions{Repository: repo, Source: filepath.Join(t.TempDir(), "absent.tar")})
	if !errors.Is(err, dockerclient.ErrNotFound) {
		t.Fatalf("import of a missing file: %v", err)
	}
}

func TestExportImageThenLoadImage(t *testing.T) {
	c := newClient(t)
	repo := uniqueRepo("archive")
	id := importImage(t, c, repo+":1", "saved and loaded "+runPrefix)

	var archive bytes.Buffer
	if err := c.ExportImage(dockerclient.ExportImageOptions{Name: repo + ":1", OutputStream: &archive}); err != nil {
		t.Fatal(err)
	}
	names := tarNames(t, archive.Bytes())
	if !contains(names, "manifest.json") {
		t.Fatalf("archive entries: %v", names)
	}

	if err := c.RemoveImage(repo + ":1"); err != nil {
		t.Fatal(err)
	}
	var progress lines
	result, err := c.LoadImageWithResult(dockerclient.LoadImageOptions{InputStream: bytes.NewReader(archive.Bytes()), OutputStream: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Images) != 1 || result.Images[0].Name != repo+":1" || result.Images[0].ID != id {
		t.Fatalf("loaded %+v, want %s as %s", result.Images, id, repo+":1")
	}
	if !strings.Contains(progress.joined(), "Loaded image: "+repo+":1") {
		t.Fatalf("load progress (text): %q", progress.msgs)
	}

	// A truncated archive is refused by the daemon: an error, never a silent partial load.
	err = c.LoadImage(dockerclient.LoadImageOptions{InputStream: bytes.NewReader(archive.Bytes()[:archive.Len()/2])})
	if !errors.Is(err, dockerclient.ErrStreamError) {
		t.Fatalf("load of half an archive: %v", err)
	}
}

func TestExportImagesPutsSeveralImagesInOneArchive(t *testing.T) {
	c := newClient(t)
	repo := uniqueRepo("multi")
	importImage(t, c, repo+":a", "a "+runPrefix)
	importImage(t, c, repo+":b", "b "+runPrefix)
	var archive bytes.Buffer
	if err := c.ExportImages(dockerclient.ExportImagesOptions{Names: []string{repo + ":a", repo + ":b"}, OutputStream: &archive}); err != nil {
		t.Fatal(err)
	}
	manifest := readEntry(t, archive.Bytes(), "manifest.json")
	if !strings.Contains(manifest, repo+":a") || !strings.Contains(manifest, repo+":b") {
		t.Fatalf("manifest.json: %s", manifest)
	}
	if err := c.ExportImages(dockerclient.ExportImagesOptions{OutputStream: io.Discard}); err != dockerclient.ErrMustSpecifyNames ||
		!errors.Is(err, dockerclient.ErrInvalidArgument) {
		t.Fatalf("no names: %v", err)
	}
	err := c.ExportImage(dockerclient.ExportImageOptions{Name: uniqueRepo("absent") + ":1", OutputStream: io.Discard})
	if !errors.Is(err, dockerclient.ErrNoSuchImage) {
		t.Fatalf("export of a missing image: %v", err)
	}
}

func TestWriterAndReaderErrorsStopTheCallAndComeBack(t *testing.T) {
	c := newClient(t)
	diskFull := errors.New("disk full")
	err := c.ExportImage(dockerclient.ExportImageOptions{Name: baseImage, OutputStream: failingWriter{diskFull}})
	if !errors.Is(err, diskFull) || !errors.Is(err, dockerclient.ErrCancelled) {
		t.Fatalf("export into a failing writer: %v", err)
	}
	unreadable := errors.New("unreadable")
	err = c.LoadImage(dockerclient.LoadImageOptions{InputStream: io.MultiReader(strings.NewReader("partial"), failingReader{unreadable})})
	if !errors.Is(err, unreadable) || !errors.Is(err, dockerclient.ErrCancelled) {
		t.Fatalf("load from a failing reader: %v", err)
	}
	if _, err := c.InspectImage(baseImage); err != nil {
		t.Fatalf("the client after stopped calls: %v", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// readEntry returns one file of a tar archive.
func readEntry(t *testing.T, archive []byte, name string) string {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the archive: %v", name, err)
		}
		if hdr.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}
