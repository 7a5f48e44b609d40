package dockerclient_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

func TestBuildImageFromAContextDirWithTextOutput(t *testing.T) {
	c := newClient(t)
	name := uniqueRepo("build-dir") + ":1"
	removeAtEnd(t, c, name)
	dir := writeFiles(t,
		"Dockerfile", fmt.Sprintf("FROM %s\nARG GREETING\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt && echo \"$GREETING\"\nLABEL run=%s\n", baseImage, runPrefix),
		"hello.txt", "hello from the context",
		".dockerignore", "ignored.txt\n",
		"ignored.txt", "never sent")
	var out lines
	result, err := c.BuildImageWithResult(dockerclient.BuildImageOptions{
		ContextDir: dir, Name: name, OutputStream: &out, NetworkMode: "none", BuilderVersion: "1",
		BuildArgs: []dockerclient.BuildArg{{Name: "GREETING", Value: "hi " + runPrefix}},
		Labels:    map[string]string{"dc.go.label": "yes"},
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.joined())
	}
	text := out.joined()
	for _, want := range []string{"Step 1/6 : FROM " + baseImage, "hello from the context", "hi " + runPrefix, "Successfully tagged " + name} {
		if !strings.Contains(text, want) {
			t.Fatalf("build output lacks %q:\n%s", want, text)
		}
	}
	img, err := c.InspectImage(name)
	if err != nil || img.ID != result.ID || img.Config.Labels["run"] != runPrefix || img.Config.Labels["dc.go.label"] != "yes" {
		t.Fatalf("built image: %v %+v (result %+v)", err, img, result)
	}
	if !contains(result.Tags, name) {
		t.Fatalf("build result tags: %+v", result)
	}
}

func TestBuildImageFromATarStreamWithBuildKit(t *testing.T) {
	c := newClient(t)
	name := uniqueRepo("build-tar") + ":1"
	removeAtEnd(t, c, name)
	context := tarArchive(t,
		"Dockerfile", fmt.Sprintf("FROM %s\nCOPY --chmod=600 data.txt /data.txt\nRUN test \"$(stat -c %%a /data.txt)\" = 600 && echo %s\n", baseImage, runPrefix),
		"data.txt", "BuildKit only: COPY --chmod")
	var events lines
	result, err := c.BuildImageWithResult(dockerclient.BuildImageOptions{
		InputStream: bytes.NewReader(context), Name: name, OutputStream: &events, RawJSONStream: true,
		NetworkMode: "none", BuilderVersion: "2", NoCache: true,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, events.joined())
	}
	sawVertex := false
	for _, m := range events.msgs {
		if p := dockerclient.ParseProgress([]byte(m)); p.Kind == dockerclient.ProgressVertex && p.Number > 0 {
			sawVertex = true
		}
	}
	if !sawVertex || !strings.HasPrefix(result.ID, "sha256:") {
		t.Fatalf("BuildKit events %q, result %+v", events.msgs, result)
	}
	if img, err := c.InspectImage(name); err != nil || img.ID != result.ID {
		t.Fatalf("built image: %v %+v", err, img)
	}
}

func TestBuildImageFailuresAreErrors(t *testing.T) {
	c := newClient(t)
	dir := writeFiles(t, "Dockerfile", fmt.Sprintf("FROM %s\nRUN echo failing-%s && false\n", baseImage, runPrefix))
	var out lines
	err := c.BuildImage(dockerclient.BuildImageOptions{ContextDir: dir, OutputStream: &out, NetworkMode: "none", BuilderVersion: "1", NoCache: true})
	var apiErr *dockerclient.Error
	if !errors.Is(err, dockerclient.ErrStreamError) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "non-zero code: 1") {
		t.Fatalf("failing RUN: %v\n%s", err, out.joined())
	}
	if !strings.Contains(out.joined(), "failing-"+runPrefix) {
		t.Fatalf("the step's output did not arrive before the error: %s", out.joined())
	}

	if err := c.BuildImage(dockerclient.BuildImageOptions{ContextDir: dir, InputStream: strings.NewReader("")}); err != dockerclient.ErrMultipleContexts {
		t.Fatalf("two contexts: %v", err)
	}
	if err := c.BuildImage(dockerclient.BuildImageOptions{Name: "x"}); err != dockerclient.ErrMissingRepo || !errors.Is(err, dockerclient.ErrInvalidArgument) {
		t.Fatalf("no context: %v", err)
	}
	if err := c.BuildImage(dockerclient.BuildImageOptions{ContextDir: dir + "/absent"}); !errors.Is(err, dockerclient.ErrNotFound) {
		t.Fatalf("missing context dir: %v", err)
	}
	// An option the chosen builder cannot honour is refused, never dropped.
	err = c.BuildImage(dockerclient.BuildImageOptions{ContextDir: dir, BuilderVersion: "2", Memory: 64 << 20})
	if !errors.Is(err, dockerclient.ErrUnsupported) {
		t.Fatalf("memory limit with BuildKit: %v", err)
	}
}
