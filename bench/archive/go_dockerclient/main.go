// The go-dockerclient side of the archive benchmark: ExportImage to a file, LoadImage from one.
//
//	go_archive ENDPOINT save NAME PATH
//	go_archive ENDPOINT load PATH
//
// Built in GOPATH mode against Debian's golang-github-fsouza-go-dockerclient-dev
// (GO111MODULE=off GOPATH=/usr/share/gocode go build).
package main

import (
	"fmt"
	"io"
	"os"

	docker "github.com/fsouza/go-dockerclient"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: go_archive ENDPOINT save NAME PATH | load PATH")
		os.Exit(2)
	}
	client, err := docker.NewClient(os.Args[1])
	if err != nil {
		fail(err)
	}
	switch {
	case os.Args[2] == "save" && len(os.Args) == 5:
		f, err := os.Create(os.Args[4])
		if err != nil {
			fail(err)
		}
		defer f.Close()
		err = client.ExportImage(docker.ExportImageOptions{Name: os.Args[3], OutputStream: f})
		if err != nil {
			fail(err)
		}
	case os.Args[2] == "load" && len(os.Args) == 4:
		f, err := os.Open(os.Args[3])
		if err != nil {
			fail(err)
		}
		defer f.Close()
		err = client.LoadImage(docker.LoadImageOptions{InputStream: f, OutputStream: io.Discard})
		if err != nil {
			fail(err)
		}
	default:
		fmt.Fprintln(os.Stderr, "bad arguments")
		os.Exit(2)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-dockerclient:", err)
	os.Exit(1)
}
