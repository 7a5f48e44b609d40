package dockerclient_test

import (
	"errors"
	"strings"
	"testing"

	dockerclient "github.com/dockerclient/dockerclient/bindings/go"
)

// pushedImage pushes an image with a layer of its own (so that a pull downloads it) to the
// open registry and removes the local copy. Returns "host/repo" and the tag.
func pushedImage(t *testing.T, c *dockerclient.Client, what string) (string, string) {
	t.Helper()
	repo := registry + "/" + uniqueRepo(what)
	name := repo + ":1"
	importImage(t, c, name, strings.Repeat(what+" "+runPrefix+"\n", 10000))
	if err := c.PushImage(dockerclient.PushImageOptions{Name: name}, dockerclient.AuthConfiguration{}); err != nil {
		t.Fatalf("push %s: %v", name, err)
	}
	if err := c.RemoveImage(name); err != nil {
		t.Fatal(err)
	}
	return repo, "1"
}

func TestPushImageThenPullImageWithTextProgress(t *testing.T) {
	c := newClient(t)
	repo := registry + "/" + uniqueRepo("push")
	name := repo + ":1"
	importImage(t, c, name, "pushed and pulled "+runPrefix)
	var pushed lines
	result, err := c.PushImageWithResult(dockerclient.PushImageOptions{Name: repo, Tag: "1", OutputStream: &pushed}, dockerclient.AuthConfiguration{})
	if err != nil {
		t.Fatal(err)
	}
	if result.Tag != "1" || !strings.HasPrefix(result.Digest, "sha256:") || result.Size == 0 || len(result.Pushed) != 1 {
		t.Fatalf("push result: %+v", result)
	}
	if !strings.Contains(pushed.joined(), "1: digest: "+result.Digest) {
		t.Fatalf("push progress (text): %q", pushed.msgs)
	}
	if err := c.RemoveImage(name); err != nil {
		t.Fatal(err)
	}

	var pulled lines
	err = c.PullImage(dockerclient.PullImageOptions{Repository: repo, Tag: "1", OutputStream: &pulled}, dockerclient.AuthConfiguration{})
	if err != nil {
		t.Fatal(err)
	}
	text := pulled.joined()
	if !strings.Contains(text, "Pull complete") || !strings.Contains(text, "Status: Downloaded newer image for "+name) {
		t.Fatalf("pull progress (text): %q", text)
	}
	if strings.Contains(text, "{") {
		t.Fatalf("text mode delivered JSON: %q", text)
	}
}

func TestPullImageRawJSONWithAggregateProgress(t *testing.T) {
	c := newClient(t)
	repo, tag := pushedImage(t, c, "aggregate")
	removeAtEnd(t, c, repo+":"+tag)

	var msgs lines
	result, err := c.PullImageWithResult(dockerclient.PullImageOptions{
		Repository: repo + ":" + tag, OutputStream: &msgs, RawJSONStream: true, Aggregate: true,
	}, dockerclient.AuthConfiguration{})
	if err != nil {
		t.Fatal(err)
	}
	if result.Reference != repo+":"+tag || !strings.HasPrefix(result.ID, "sha256:") || !strings.HasPrefix(result.Digest, "sha256:") || !result.New {
		t.Fatalf("pull result: %+v", result)
	}
	// Each Write is one JSON message; the aggregate ones read as figures.
	var last dockerclient.Progress
	aggregates := 0
	for _, m := range msgs.msgs {
		if !strings.HasPrefix(m, "{") || !strings.HasSuffix(m, "}\n") {
			t.Fatalf("not one JSON message per Write: %q", m)
		}
		if p := dockerclient.ParseProgress([]byte(m)); p.Kind == dockerclient.ProgressAggregate {
			if p.AggregateCurrent < last.AggregateCurrent {
				t.Fatalf("aggregate went back: %+v after %+v", p, last)
			}
			last, aggregates = p, aggregates+1
		}
	}
	if aggregates == 0 || !last.TotalFinal || last.AggregateCurrent != last.AggregateTotal || last.Layers == 0 {
		t.Fatalf("%d aggregate messages, the last %+v", aggregates, last)
	}

	// Pulled again: up to date, not new.
	again, err := c.PullImageWithResult(dockerclient.PullImageOptions{Repository: repo, Tag: tag}, dockerclient.AuthConfiguration{})
	if err != nil || again.New || again.ID != result.ID {
		t.Fatalf("second pull: %v %+v", err, again)
	}
	if err := c.PullImage(dockerclient.PullImageOptions{Repository: repo, Tag: tag, OutputStream: &msgs, Aggregate: true}, dockerclient.AuthConfiguration{}); !errors.Is(err, dockerclient.ErrInvalidArgument) {
		t.Fatalf("aggregate with text progress: %v", err)
	}
}

func TestPullWithoutATagPullsLatestOnly(t *testing.T) {
	c := newClient(t)
	repo := registry + "/" + uniqueRepo("latest")
	for _, tag := range []string{"latest", "other"} {
		name := tagBase(t, c, repo, tag)
		if err := c.PushImage(dockerclient.PushImageOptions{Name: name}, dockerclient.AuthConfiguration{}); err != nil {
			t.Fatal(err)
		}
		if err := c.RemoveImage(name); err != nil {
			t.Fatal(err)
		}
	}
	result, err := c.PullImageWithResult(dockerclient.PullImageOptions{Repository: repo}, dockerclient.AuthConfiguration{})
	if err != nil || result.Reference != repo+":latest" {
		t.Fatalf("pull without a tag: %v %+v", err, result)
	}
	if _, err := c.InspectImage(repo + ":other"); !errors.Is(err, dockerclient.ErrNotFound) {
		t.Fatalf("an empty tag pulled another tag too: %v", err)
	}
}

func TestPullAndPushWithCredentials(t *testing.T) {
	c := newClient(t)
	repo := authRegistry + "/" + uniqueRepo("auth")
	name := tagBase(t, c, repo, "1")
	good := dockerclient.AuthConfiguration{Username: registryUser, Password: registryPass, ServerAddress: authRegistry}
	wrong := dockerclient.AuthConfiguration{Username: registryUser, Password: "wrong-" + registryPass, ServerAddress: authRegistry}

	err := c.PushImage(dockerclient.PushImageOptions{Name: name}, wrong)
	if !errors.Is(err, dockerclient.ErrUnauthorized) || strings.Contains(err.Error(), registryPass) {
		t.Fatalf("push with a wrong password: %v", err)
	}
	if err := c.PushImage(dockerclient.PushImageOptions{Name: name}, good); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveImage(name); err != nil {
		t.Fatal(err)
	}
	if err := c.PullImage(dockerclient.PullImageOptions{Repository: name}, wrong); !errors.Is(err, dockerclient.ErrUnauthorized) {
		t.Fatalf("pull with a wrong password: %v", err)
	}
	if err := c.PullImage(dockerclient.PullImageOptions{Repository: name}, good); err != nil {
		t.Fatal(err)
	}

	status, err := c.AuthCheck(&good)
	if err != nil || !strings.Contains(status.Status, "Login Succeeded") {
		t.Fatalf("AuthCheck: %v %+v", err, status)
	}
	if _, err := c.AuthCheck(&wrong); !errors.Is(err, dockerclient.ErrUnauthorized) || strings.Contains(err.Error(), registryPass) {
		t.Fatalf("AuthCheck with a wrong password: %v", err)
	}
}

func TestPullOfAMissingRepositoryIsNotFound(t *testing.T) {
	c := newClient(t)
	err := c.PullImage(dockerclient.PullImageOptions{Repository: registry + "/" + uniqueRepo("never-pushed"), Tag: "1"}, dockerclient.AuthConfiguration{})
	var apiErr *dockerclient.Error
	if !errors.Is(err, dockerclient.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Message == "" {
		t.Fatalf("pull of a missing repository: %v", err)
	}
}
