package dockerclient_test

// Contexts stop calls: through a dc_cancel token a goroutine triggers when the Context ends,
// so a call returns even while the daemon is silent. Timings are printed, not asserted (the
// machine is shared); what is asserted is the outcome and that the client goes on.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

func TestContextStopsAPullOnASilentDaemon(t *testing.T) {
	c, err := dockerclient.NewClient(silentDaemon(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err = c.PullImage(dockerclient.PullImageOptions{Repository: "busybox", Tag: "1", Context: ctx}, dockerclient.AuthConfiguration{})
	t.Logf("pull on a silent daemon returned %v after the 1 s deadline", time.Since(start)-time.Second)
	if !errors.Is(err, dockerclient.ErrCancelled) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("pull with an expired Context: %v", err)
	}
	// Ping takes no options: its Context goes through a handle bound to the token.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	if err := c.PingWithContext(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping with an expired Context: %v", err)
	}
}

func TestCancellingAPullMidStream(t *testing.T) {
	c := newClient(t)
	repo, tag := pushedImage(t, c, "cancel-pull")
	removeAtEnd(t, c, repo+":"+tag)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	messages := 0
	stopAtFirst := writerFunc(func(p []byte) (int, error) {
		messages++
		cancel() // the Context ends while the pull streams
		return len(p), nil
	})
	err := c.PullImage(dockerclient.PullImageOptions{Repository: repo, Tag: tag, OutputStream: stopAtFirst, RawJSONStream: true, Context: ctx},
		dockerclient.AuthConfiguration{})
	if !errors.Is(err, dockerclient.ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("pull whose Context was cancelled: %v", err)
	}
	t.Logf("stopped after %d message(s)", messages)

	// A Context already over: the call fails at once.
	if _, err := c.ListImages(dockerclient.ListImagesOptions{Context: ctx}); !errors.Is(err, context.Canceled) {
		t.Fatalf("list with a cancelled Context: %v", err)
	}
	// The client goes on, and the image is pulled whole by the next pull.
	if err := c.PullImage(dockerclient.PullImageOptions{Repository: repo, Tag: tag}, dockerclient.AuthConfiguration{}); err != nil {
		t.Fatal(err)
	}
}

func TestContextDeadlineStopsASilentBuildStep(t *testing.T) {
	for _, builder := range []string{"1", "2"} {
		t.Run("builder"+builder, func(t *testing.T) {
			c := newClient(t)
			dir := writeFiles(t, "Dockerfile", fmt.Sprintf("FROM %s\nRUN sleep 30 # %s builder %s\n", baseImage, runPrefix, builder))
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			var out lines
			start := time.Now()
			err := c.BuildImage(dockerclient.BuildImageOptions{
				ContextDir: dir, Context: ctx, NoCache: true, NetworkMode: "none", BuilderVersion: builder, OutputStream: &out,
			})
			t.Logf("build with a 1 s deadline returned after %v: %v", time.Since(start), err)
			if !errors.Is(err, dockerclient.ErrCancelled) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("silent build step with a 1 s deadline: %v\n%s", err, out.joined())
			}
			if _, err := c.InspectImage(baseImage); err != nil {
				t.Fatalf("the client after a cancelled build: %v", err)
			}
		})
	}
}

func TestOneContextStopsCallsOnSeveralGoroutines(t *testing.T) {
	c, err := dockerclient.NewClient(silentDaemon(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = c.ListImages(dockerclient.ListImagesOptions{Context: ctx})
		}(i)
	}
	time.Sleep(200 * time.Millisecond) // let the calls block on the silent daemon
	cancel()
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
