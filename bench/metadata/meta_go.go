// Benchmark: the same loops as meta_c.c with go-dockerclient (ListImages, InspectImage) on one
// client from the environment. Prints "go-dockerclient <op> <calls> <wall_s> <cpu_s> <images>".
// Usage: meta_go N REPO COUNT
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

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "meta_go:", err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: meta_go N REPO COUNT")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[1])
	repo := os.Args[2]
	count, _ := strconv.Atoi(os.Args[3])
	c, err := docker.NewClientFromEnv()
	check(err)

	_, err = c.ListImages(docker.ListImagesOptions{})
	check(err)
	_, err = c.InspectImage(repo + ":0")
	check(err)

	t0, c0 := time.Now(), cpu()
	images := 0
	for i := 0; i < n; i++ {
		list, err := c.ListImages(docker.ListImagesOptions{})
		check(err)
		images += len(list)
	}
	fmt.Printf("go-dockerclient list %d %.6f %.6f %d\n", n, time.Since(t0).Seconds(), cpu()-c0, images)

	t0, c0 = time.Now(), cpu()
	for i := 0; i < n; i++ {
		_, err := c.InspectImage(repo + ":" + strconv.Itoa(i%count))
		check(err)
	}
	fmt.Printf("go-dockerclient inspect %d %.6f %.6f %d\n", n, time.Since(t0).Seconds(), cpu()-c0, n)
}
