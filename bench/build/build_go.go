// Benchmark client: one build with go-dockerclient's BuildImage from a context directory
// (ContextDir: the library tars it with the .dockerignore rules), output written to stdout.
// Usage: build_go CONTEXT_DIR TAG   (the daemon from DOCKER_HOST)
package main

import (
	"fmt"
	"os"

	docker "github.com/fsouza/go-dockerclient"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: build_go CONTEXT_DIR TAG")
		os.Exit(2)
	}
	c, err := docker.NewClientFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	err = c.BuildImage(docker.BuildImageOptions{
		Name:           os.Args[2],
		ContextDir:     os.Args[1],
		Dockerfile:     "Dockerfile",
		RmTmpContainer: true,
		OutputStream:   os.Stdout,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
