// Benchmark client: one pull with go-dockerclient's PullImage, raw JSON progress stream
// counted by the writer (the same work as pull_c.c).
// Usage: pull_go REPO:TAG   (the daemon from DOCKER_HOST)
package main

import (
	"fmt"
	"os"
	"strings"

	docker "github.com/fsouza/go-dockerclient"
)

type counter struct {
	writes int
	bytes  int
}

func (c *counter) Write(p []byte) (int, error) {
	c.writes++
	c.bytes += len(p)
	return len(p), nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pull_go REPO:TAG")
		os.Exit(2)
	}
	ref := os.Args[1]
	repo, tag := ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	c, err := docker.NewClientFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := &counter{}
	err = c.PullImage(docker.PullImageOptions{
		Repository:    repo,
		Tag:           tag,
		OutputStream:  out,
		RawJSONStream: true,
	}, docker.AuthConfiguration{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pull:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "go-dockerclient: %d writes, %d bytes of progress\n", out.writes, out.bytes)
}
