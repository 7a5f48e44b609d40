package dockerclient_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	docker "github.com/dockerclient/dockerclient/bindings/go"
)

// progressBar draws one line per pull from the aggregate messages: each Write of the
// OutputStream is one message, which ParseProgress reads without decoding JSON.
type progressBar struct{ w io.Writer }

func (b progressBar) Write(msg []byte) (int, error) {
	p := docker.ParseProgress(msg)
	if p.Kind == docker.ProgressAggregate && p.TotalFinal && p.AggregateTotal > 0 {
		fmt.Fprintf(b.w, "\r%3d%% of %d MiB, %d/%d layers", 100*p.AggregateCurrent/p.AggregateTotal,
			p.AggregateTotal>>20, p.LayersDone, p.Layers)
	}
	return len(msg), nil
}

// The README's tour: list, pull with a progress bar, build, save; Ctrl-C stops any of them.
// (Compiled by go test, not run: it needs an image in a registry.)
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client, err := docker.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	images, err := client.ListImages(docker.ListImagesOptions{Context: ctx})
	if err != nil {
		log.Fatal(err)
	}
	for _, img := range images {
		fmt.Println(img.ID[:19], img.RepoTags)
	}

	pulled, err := client.PullImageWithResult(docker.PullImageOptions{
		Repository: "127.0.0.1:5000/app", Tag: "1", Context: ctx,
		OutputStream: progressBar{os.Stderr}, RawJSONStream: true, Aggregate: true,
	}, docker.AuthConfiguration{}) // empty: the docker config's credentials, if any
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("\npulled", pulled.Reference, pulled.ID)

	built, err := client.BuildImageWithResult(docker.BuildImageOptions{
		ContextDir: "./app", Name: "app:dev", OutputStream: os.Stdout, Context: ctx,
	})
	if err != nil {
		log.Fatal(err) // a failed step is an error carrying the daemon's message
	}
	fmt.Println("built", built.ID)

	f, err := os.Create("app.tar")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	err = client.ExportImage(docker.ExportImageOptions{Name: "app:dev", OutputStream: f, Context: ctx})
	switch {
	case err == nil:
		fmt.Println("saved app.tar")
	case ctx.Err() != nil:
		log.Fatal("interrupted") // the save stopped at once; nothing leaked
	default:
		log.Fatal(err)
	}
}
