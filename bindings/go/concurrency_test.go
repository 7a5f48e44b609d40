package dockerclient_test

import (
	"fmt"
	"sync"
	"testing"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func TestSixteenGoroutinesShareOneClient(t *testing.T) {
	c := newClient(t)
	base, err := c.InspectImage(baseImage)
	if err != nil {
		t.Fatal(err)
	}
	var reference countingWriter
	if err := c.ExportImage(dockerclient.ExportImageOptions{Name: baseImage, OutputStream: &reference}); err != nil {
		t.Fatal(err)
	}

	const goroutines, rounds = 16, 5
	var wg sync.WaitGroup
	failures := make(chan error, goroutines*rounds)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				if err := oneRound(c, base, reference.n, g, r); err != nil {
					failures <- fmt.Errorf("goroutine %d round %d: %w", g, r, err)
				}
			}
		}(g)
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
}

// oneRound is what each goroutine does: inspect, list, history, a whole save, and a tag of
// its own removed again.
func oneRound(c *dockerclient.Client, base *dockerclient.Image, archiveSize int64, g, r int) error {
	img, err := c.InspectImage(baseImage)
	if err != nil || img.ID != base.ID {
		return fmt.Errorf("inspect: %v %v", err, img)
	}
	if _, err := c.ListImages(dockerclient.ListImagesOptions{Filters: map[string][]string{"reference": {baseImage}}}); err != nil {
		return fmt.Errorf("list: %v", err)
	}
	if h, err := c.ImageHistory(baseImage); err != nil || len(h) == 0 {
		return fmt.Errorf("history: %v", err)
	}
	var saved countingWriter
	if err := c.ExportImage(dockerclient.ExportImageOptions{Name: baseImage, OutputStream: &saved}); err != nil || saved.n != archiveSize {
		return fmt.Errorf("save: %v, %d bytes, want %d", err, saved.n, archiveSize)
	}
	repo := uniqueRepo(fmt.Sprintf("goroutine-%d", g))
	if err := c.TagImage(baseImage, dockerclient.TagImageOptions{Repo: repo, Tag: fmt.Sprint(r)}); err != nil {
		return fmt.Errorf("tag: %v", err)
	}
	if err := c.RemoveImage(fmt.Sprintf("%s:%d", repo, r)); err != nil {
		return fmt.Errorf("remove: %v", err)
	}
	return nil
}
