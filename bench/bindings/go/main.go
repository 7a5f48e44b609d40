// The Go side of the bindings benchmark, written against go-dockerclient's API and compiled
// twice by run.sh, unchanged but for the import line: against github.com/fsouza/go-dockerclient
// and against bindings/go (the program is its own compatibility check).
//
//	bench_go ENDPOINT inspect N NAME     N InspectImage calls
//	bench_go ENDPOINT save NAME PATH     one ExportImage into PATH
//
// Prints "<op> <calls> <wall_s> <cpu_s> <bytes>": the loop's wall time and this process's CPU
// time (user + system, getrusage) over the loop alone.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	docker "github.com/fsouza/go-dockerclient"
)

func cpu() float64 {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

// counter is the save's destination: a file, and the bytes written.
type counter struct {
	f *os.File
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n += int64(n)
	return n, err
}

func main() {
	if len(os.Args) != 5 {
		fail(fmt.Errorf("usage: bench_go ENDPOINT inspect N NAME | save NAME PATH"))
	}
	client, err := docker.NewClient(os.Args[1])
	if err != nil {
		fail(err)
	}
	switch os.Args[2] {
	case "inspect":
		n, _ := strconv.Atoi(os.Args[3])
		name := os.Args[4]
		if _, err := client.InspectImage(name); err != nil { // connection and version settled
			fail(err)
		}
		t0, c0 := time.Now(), cpu()
		for i := 0; i < n; i++ {
			if _, err := client.InspectImage(name); err != nil {
				fail(err)
			}
		}
		fmt.Printf("inspect %d %.6f %.6f 0\n", n, time.Since(t0).Seconds(), cpu()-c0)
	case "save":
		f, err := os.Create(os.Args[4])
		if err != nil {
			fail(err)
		}
		out := &counter{f: f}
		if err := client.Ping(); err != nil { // connection settled before the clock starts
			fail(err)
		}
		t0, c0 := time.Now(), cpu()
		if err := client.ExportImage(docker.ExportImageOptions{Name: os.Args[3], OutputStream: out}); err != nil {
			fail(err)
		}
		fmt.Printf("save 1 %.6f %.6f %d\n", time.Since(t0).Seconds(), cpu()-c0, out.n)
		f.Close()
	default:
		fail(fmt.Errorf("unknown operation %q", os.Args[2]))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench_go:", err)
	os.Exit(1)
}
