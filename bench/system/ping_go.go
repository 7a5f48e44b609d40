// Benchmark: the same loop as ping_c.c with go-dockerclient (Ping + Version on one client).
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
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return float64(u.Utime.Sec) + float64(u.Utime.Usec)/1e6 + float64(u.Stime.Sec) + float64(u.Stime.Usec)/1e6
}

func main() {
	n := 2000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	c, err := docker.NewClientFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := c.Ping(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	t0 := time.Now()
	c0 := cpu()
	for i := 0; i < n; i++ {
		if err := c.Ping(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if _, err := c.Version(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("go-dockerclient %d %.6f %.6f\n", 2*n, time.Since(t0).Seconds(), cpu()-c0)
}
