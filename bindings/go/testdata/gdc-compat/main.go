// A program written against go-dockerclient's image API. scripts/test-bindings.sh compiles it
// twice, unchanged but for the import line: against github.com/fsouza/go-dockerclient (GOPATH
// mode, Debian's package) and against this package; both binaries run against the test
// engine and must print the same lines.
//
//	gdc-compat ENDPOINT REGISTRY BASE_IMAGE
//
// It prints facts both clients must agree on (never IDs or timings), and exits non-zero at the
// first call that fails.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	docker "github.com/fsouza/go-dockerclient"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gdc-compat ENDPOINT REGISTRY BASE_IMAGE")
		os.Exit(2)
	}
	endpoint, registry, base := os.Args[1], os.Args[2], os.Args[3]
	run := fmt.Sprintf("gdc-compat-%d", os.Getpid())
	client, err := docker.NewClient(endpoint)
	check("NewClient", err)
	check("Ping", client.Ping())

	// Metadata.
	img, err := client.InspectImage(base)
	check("InspectImage", err)
	fmt.Println("inspect: has ID and layers:", strings.HasPrefix(img.ID, "sha256:") && img.RootFS != nil && len(img.RootFS.Layers) > 0)
	list, err := client.ListImages(docker.ListImagesOptions{Filters: map[string][]string{"reference": {base}}})
	check("ListImages", err)
	fmt.Println("list: the base image, same ID:", len(list) == 1 && list[0].ID == img.ID)
	history, err := client.ImageHistory(base)
	check("ImageHistory", err)
	fmt.Println("history: newest layer is the image:", len(history) > 0 && history[0].ID == img.ID)

	// Tag, push to the registry, remove, pull back.
	repo := registry + "/" + run
	check("TagImage", client.TagImage(base, docker.TagImageOptions{Repo: repo, Tag: "1"}))
	var pushOut bytes.Buffer
	// go-dockerclient sends no X-Registry-Auth for an empty AuthConfiguration, which the daemon
	// refuses for a push: name the (open) registry.
	registryAuth := docker.AuthConfiguration{ServerAddress: registry}
	check("PushImage", client.PushImage(docker.PushImageOptions{Name: repo, Tag: "1", OutputStream: &pushOut}, registryAuth))
	fmt.Println("push: output names the digest:", strings.Contains(pushOut.String(), "digest: sha256:"))
	check("RemoveImage", client.RemoveImage(repo+":1"))
	_, err = client.InspectImage(repo + ":1")
	fmt.Println("inspect after remove: ErrNoSuchImage:", errors.Is(err, docker.ErrNoSuchImage))
	var pullOut bytes.Buffer
	check("PullImage", client.PullImage(docker.PullImageOptions{Repository: repo, Tag: "1", OutputStream: &pullOut}, docker.AuthConfiguration{}))
	fmt.Println("pull: output has the status line:", strings.Contains(pullOut.String(), "Status: "))

	// Save, remove, load back.
	var archive bytes.Buffer
	check("ExportImage", client.ExportImage(docker.ExportImageOptions{Name: repo + ":1", OutputStream: &archive}))
	fmt.Println("export: archive has manifest.json:", tarHas(archive.Bytes(), "manifest.json"))
	check("RemoveImageExtended", client.RemoveImageExtended(repo+":1", docker.RemoveImageOptions{Force: true}))
	check("LoadImage", client.LoadImage(docker.LoadImageOptions{InputStream: bytes.NewReader(archive.Bytes()), OutputStream: io.Discard}))
	loaded, err := client.InspectImage(repo + ":1")
	check("InspectImage after load", err)
	fmt.Println("load: same image back:", loaded.ID == img.ID)

	// Import a rootfs from a stream.
	rootfs := tarOf("hello.txt", "hello from "+run)
	check("ImportImage", client.ImportImage(docker.ImportImageOptions{Repository: run + "-import", Tag: "1", Source: "-", InputStream: bytes.NewReader(rootfs), OutputStream: io.Discard}))
	_, err = client.InspectImage(run + "-import:1")
	fmt.Println("import: image exists:", err == nil)

	// Build from a directory and from a tar stream.
	dir, err := os.MkdirTemp("", "gdc-compat")
	check("MkdirTemp", err)
	defer os.RemoveAll(dir)
	dockerfile := fmt.Sprintf("FROM %s\nRUN echo built-%s\n", base, run)
	check("WriteFile", os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644))
	var buildOut bytes.Buffer
	check("BuildImage (dir)", client.BuildImage(docker.BuildImageOptions{Name: run + "-build:dir", ContextDir: dir, OutputStream: &buildOut, NetworkMode: "none"}))
	fmt.Println("build (dir): output shows the step and the tag:", strings.Contains(buildOut.String(), "built-"+run) && strings.Contains(buildOut.String(), "Successfully tagged "+run+"-build:dir"))
	buildOut.Reset()
	check("BuildImage (stream)", client.BuildImage(docker.BuildImageOptions{Name: run + "-build:stream", InputStream: bytes.NewReader(tarOf("Dockerfile", dockerfile)), OutputStream: &buildOut, NetworkMode: "none"}))
	fmt.Println("build (stream): tagged:", strings.Contains(buildOut.String(), "Successfully tagged "+run+"-build:stream"))
	err = client.BuildImage(docker.BuildImageOptions{ContextDir: dir, InputStream: bytes.NewReader(nil), OutputStream: io.Discard})
	fmt.Println("build with two contexts: ErrMultipleContexts:", err == docker.ErrMultipleContexts)

	// Errors.
	err = client.TagImage(run+"-absent:1", docker.TagImageOptions{Repo: run + "-absent-target"})
	var apiErr *docker.Error
	fmt.Println("tag of a missing image: *Error with status 404:", errors.As(err, &apiErr) && apiErr.Status == 404)
	err = client.RemoveImage(run + "-absent:1")
	fmt.Println("remove of a missing image: ErrNoSuchImage:", errors.Is(err, docker.ErrNoSuchImage))
	err = client.ExportImages(docker.ExportImagesOptions{OutputStream: io.Discard})
	fmt.Println("export of no names: ErrMustSpecifyNames:", err == docker.ErrMustSpecifyNames)

	// Prune and clean up.
	_, err = client.PruneImages(docker.PruneImagesOptions{Filters: map[string][]string{"label": {"gdc-compat-never-set=" + run}}})
	check("PruneImages", err)
	for _, name := range []string{repo + ":1", run + "-import:1", run + "-build:dir", run + "-build:stream"} {
		check("RemoveImageExtended "+name, client.RemoveImageExtended(name, docker.RemoveImageOptions{Force: true}))
	}
	fmt.Println("done")
}

func check(what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}

func tarOf(name, content string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))})
	_, _ = io.WriteString(tw, content)
	_ = tw.Close()
	return buf.Bytes()
}

func tarHas(archive []byte, name string) bool {
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err != nil {
			return false
		}
		if hdr.Name == name {
			return true
		}
	}
}
