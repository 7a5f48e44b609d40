package dockerclient

// BuildImage: the context is a directory the library tars while it sends it (exactly as the
// docker CLI does, .dockerignore included), a tar stream from InputStream, or a Remote URL.
// The classic builder or BuildKit, chosen as the CLI chooses unless BuilderVersion says.

// #include <dockerclient.h>
import "C"

import (
	"context"
	"io"
	"strings"
	"time"
)

// BuildImageOptions are BuildImage's parameters (go-dockerclient's, and BuilderVersion).
type BuildImageOptions struct {
	Context context.Context
	// Name tags the image ("app", "app:1", "registry:5000/app:2").
	Name string
	// Dockerfile is the Dockerfile's path in the context (default "Dockerfile").
	Dockerfile string
	// ExtraHosts are "host:ip" entries added to /etc/hosts, separated by commas.
	ExtraHosts string
	// CacheFrom are images used as cache sources.
	CacheFrom    []string
	Memory       int64
	Memswap      int64
	ShmSize      int64
	CPUShares    int64
	CPUQuota     int64
	CPUPeriod    int64
	CPUSetCPUs   string
	Labels       map[string]string
	InputStream  io.Reader // a tar archive (plain or compressed) as the context
	OutputStream io.Writer // the build's output, one message per Write (nil: none is asked for)
	// Remote is a URL the daemon fetches the context from (git repository, tarball,
	// Dockerfile).
	Remote string
	// Auth is the credentials of the registry of a base image (merged into AuthConfigs under
	// its ServerAddress).
	Auth AuthConfiguration
	// AuthConfigs are credentials for the registries of the base images. Empty: those of the
	// docker config, as the CLI sends them.
	AuthConfigs AuthConfigurations
	// ContextDir is the context directory (the library sends it, .dockerignore applied).
	ContextDir          string
	Ulimits             []ULimit
	BuildArgs           []BuildArg
	NetworkMode         string
	Platform            string
	InactivityTimeout   time.Duration
	CgroupParent        string
	SecurityOpt         []string
	Target              string
	Outputs             string // BuildKit outputs, "type=NAME[,key=value…]"
	NoCache             bool
	SuppressOutput      bool
	Pull                bool
	RmTmpContainer      bool // false: the daemon's default, which removes them
	ForceRmTmpContainer bool
	RawJSONStream       bool
	// BuilderVersion chooses the builder: "1" classic, "2" BuildKit, "" or "auto" as the
	// docker CLI chooses (BuildKit where the daemon says it is its default). This package's
	// addition.
	BuilderVersion string
}

// BuildResult is what a build produced. This package's addition (BuildImageWithResult).
type BuildResult struct {
	// ID is the image's ID.
	ID string `json:"id"`
	// Tags are the names applied, as the daemon reports them.
	Tags []string `json:"tags"`
	// Warnings are the warning lines of the build's output.
	Warnings []string `json:"warnings"`
}

// BuildImage builds an image. A failed step is an error (ErrStreamError) carrying the
// daemon's message, never a success with the failure only in the output.
func (c *Client) BuildImage(opts BuildImageOptions) error {
	_, err := c.BuildImageWithResult(opts)
	return err
}

// BuildImageWithResult is BuildImage, returning the image built.
func (c *Client) BuildImageWithResult(opts BuildImageOptions) (*BuildResult, error) {
	if opts.ContextDir != "" && opts.InputStream != nil {
		return nil, ErrMultipleContexts
	}
	if opts.ContextDir == "" && opts.InputStream == nil && opts.Remote == "" {
		return nil, ErrMissingRepo
	}
	o := buildOptions(&opts)
	s := &streams{in: opts.InputStream, out: opts.OutputStream}
	out, err := c.run(opts.Context, o, s, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_build(inv.client, inv.opts, inv.read, inv.userdata, inv.write, inv.userdata, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var result BuildResult
	if err := decodeResult(out, &result); err != nil {
		return nil, err
	}
	return &result, nil
}

// buildOptions is dc_image_build's options object for opts.
func buildOptions(opts *BuildImageOptions) options {
	o := options{}
	o.str("context_dir", opts.ContextDir)
	o.str("remote", opts.Remote)
	o.str("dockerfile", opts.Dockerfile)
	if opts.Name != "" {
		o["tags"] = []string{opts.Name}
	}
	o.list("extra_hosts", splitList(opts.ExtraHosts))
	o.list("cache_from", opts.CacheFrom)
	o.num("memory", opts.Memory)
	o.num("memswap", opts.Memswap)
	o.num("shm_size", opts.ShmSize)
	o.num("cpu_shares", opts.CPUShares)
	o.num("cpu_quota", opts.CPUQuota)
	o.num("cpu_period", opts.CPUPeriod)
	o.str("cpuset_cpus", opts.CPUSetCPUs)
	if len(opts.Labels) > 0 {
		o["labels"] = opts.Labels
	}
	if len(opts.Ulimits) > 0 {
		limits := make([]map[string]interface{}, len(opts.Ulimits))
		for i, l := range opts.Ulimits {
			limits[i] = map[string]interface{}{"name": l.Name, "soft": l.Soft, "hard": l.Hard}
		}
		o["ulimits"] = limits
	}
	if len(opts.BuildArgs) > 0 {
		args := make(map[string]string, len(opts.BuildArgs))
		for _, a := range opts.BuildArgs {
			args[a.Name] = a.Value
		}
		o["build_args"] = args
	}
	o.str("network_mode", opts.NetworkMode)
	o.str("platform", opts.Platform)
	o.str("cgroup_parent", opts.CgroupParent)
	o.list("security_opt", opts.SecurityOpt)
	o.str("target", opts.Target)
	if opts.Outputs != "" {
		o["outputs"] = []map[string]interface{}{parseOutput(opts.Outputs)}
	}
	o.flag("no_cache", opts.NoCache)
	o.flag("quiet", opts.SuppressOutput)
	o.flag("pull", opts.Pull)
	o.flag("rm", opts.RmTmpContainer)
	o.flag("force_rm", opts.ForceRmTmpContainer)
	o.millis("inactivity_timeout_ms", opts.InactivityTimeout)
	if opts.BuilderVersion != "" {
		o["version"] = opts.BuilderVersion
	}
	if configs := buildAuthConfigs(opts); len(configs) > 0 {
		o["auth_configs"] = configs
	}
	progressOptions(o, opts.OutputStream, opts.RawJSONStream, false)
	return o
}

// buildAuthConfigs merges Auth into AuthConfigs (AuthConfigs wins for the same registry).
func buildAuthConfigs(opts *BuildImageOptions) map[string]AuthConfiguration {
	configs := make(map[string]AuthConfiguration, len(opts.AuthConfigs.Configs)+1)
	if opts.Auth != (AuthConfiguration{}) {
		configs[opts.Auth.ServerAddress] = opts.Auth
	}
	for k, v := range opts.AuthConfigs.Configs {
		configs[k] = v
	}
	return configs
}

// parseOutput reads docker's "type=local,dest=out" output syntax into the API's object.
func parseOutput(spec string) map[string]interface{} {
	out := map[string]interface{}{}
	attrs := map[string]string{}
	for _, field := range splitList(spec) {
		kv := strings.SplitN(field, "=", 2)
		key, value := strings.TrimSpace(kv[0]), ""
		if len(kv) == 2 {
			value = strings.TrimSpace(kv[1])
		}
		if strings.EqualFold(key, "type") {
			out["Type"] = value
		} else {
			attrs[key] = value
		}
	}
	if len(attrs) > 0 {
		out["Attrs"] = attrs
	}
	return out
}

// splitList splits a comma- or space-separated list, dropping empty items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
