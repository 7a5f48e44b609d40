package dockerclient

// #include <stdlib.h>
// #include <dockerclient.h>
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// ErrClientClosed is returned by calls made after Client.Close (or while it waits).
var ErrClientClosed = errors.New("dockerclient: client is closed")

// Client is a connection to one Docker daemon (a dc_client: pooled connections, the
// negotiated API version, the registry credentials' source). It is safe for many goroutines
// at once. Close it when done; a finalizer closes a forgotten one, as a safety net only.
type Client struct {
	// SkipServerVersionCheck is kept for go-dockerclient programs that set it. It changes
	// nothing: the library negotiates the API version itself on first use (or uses the one
	// pinned by NewVersionedClient / DOCKER_API_VERSION) and refuses, before sending
	// anything, an option that version lacks.
	SkipServerVersionCheck bool

	endpoint string
	config   options // what dc_client_new was given (SetTimeout makes a new handle from it)

	mu     sync.Mutex
	idle   *sync.Cond // signalled when active drops to 0
	handle *C.dc_client
	active int // calls running on handle
	closed bool
}

// NewClient returns a client of the daemon at endpoint ("unix:///var/run/docker.sock",
// "tcp://host:2375", "http://host:2375", "https://host:2376"; "host:port" means tcp://).
// The API version is negotiated with the daemon on first use. Registry credentials come from
// the docker config (DOCKER_CONFIG, else ~/.docker), as the docker CLI finds them.
func NewClient(endpoint string) (*Client, error) {
	return NewVersionedClient(endpoint, "")
}

// NewVersionedClient is NewClient speaking API version apiVersionString ("1.41") without
// negotiation; "" negotiates.
func NewVersionedClient(endpoint string, apiVersionString string) (*Client, error) {
	o := options{"host": normalizeEndpoint(endpoint)}
	if strings.Contains(apiVersionString, ".") {
		o["api_version"] = apiVersionString
	}
	return newClient(endpoint, o)
}

// NewTLSClient returns a client of a TLS endpoint ("tcp://host:2376" or "https://…") with
// the client certificate cert and key (PEM files; PKCS#1 or PKCS#8 keys) and the CA
// certificate ca. As in go-dockerclient, a file that does not exist is left out, and without
// a CA the daemon's certificate is not verified.
func NewTLSClient(endpoint string, cert, key, ca string) (*Client, error) {
	return NewVersionedTLSClient(endpoint, cert, key, ca, "")
}

// NewVersionedTLSClient is NewTLSClient speaking API version apiVersionString.
func NewVersionedTLSClient(endpoint string, cert, key, ca, apiVersionString string) (*Client, error) {
	tls := map[string]interface{}{}
	for name, path := range map[string]string{"cert": cert, "key": key, "ca": ca} {
		if _, err := os.Stat(path); path != "" && err == nil {
			tls[name] = path
		}
	}
	if _, ok := tls["ca"]; !ok {
		tls["verify"] = false
	}
	o := options{"host": normalizeEndpoint(endpoint), "tls": tls}
	if strings.Contains(apiVersionString, ".") {
		o["api_version"] = apiVersionString
	}
	return newClient(endpoint, o)
}

// NewClientFromEnv returns a client configured as the docker CLI configures itself:
// DOCKER_HOST (default unix:///var/run/docker.sock), DOCKER_TLS_VERIFY, DOCKER_TLS,
// DOCKER_CERT_PATH, DOCKER_API_VERSION and DOCKER_CONFIG.
func NewClientFromEnv() (*Client, error) {
	return newClient(envEndpoint(), nil)
}

// NewVersionedClientFromEnv is NewClientFromEnv speaking API version apiVersionString
// (which takes precedence over DOCKER_API_VERSION; "" keeps the environment's choice).
func NewVersionedClientFromEnv(apiVersionString string) (*Client, error) {
	var o options
	if strings.Contains(apiVersionString, ".") {
		o = options{"api_version": apiVersionString}
	}
	return newClient(envEndpoint(), o)
}

// NewClientWithOptions is this package's own constructor: optionsJSON is the object
// dc_client_new takes ("host", "api_version", "tls", "timeout_ms", "inactivity_timeout_ms",
// "user_agent", "docker_config"; absent keys come from the environment; "" for all of it).
func NewClientWithOptions(optionsJSON string) (*Client, error) {
	var o options
	if optionsJSON != "" {
		if err := json.Unmarshal([]byte(optionsJSON), &o); err != nil {
			return nil, localError(StatusInvalidArgument, "client options are not a JSON object: %v", err)
		}
	}
	endpoint := envEndpoint()
	if host, ok := o["host"].(string); ok {
		endpoint = host
	}
	return newClient(endpoint, o)
}

func newClient(endpoint string, o options) (*Client, error) {
	h, err := newHandle(o)
	if err != nil {
		return nil, err
	}
	c := &Client{endpoint: endpoint, config: o, handle: h}
	c.idle = sync.NewCond(&c.mu)
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

func newHandle(o options) (*C.dc_client, error) {
	opts, err := o.cJSON()
	if err != nil {
		return nil, err
	}
	defer freeCString(opts)
	var h *C.dc_client
	var cerr *C.dc_error
	if status := C.dc_client_new(opts, &h, &cerr); status != C.DC_OK {
		return nil, takeError(status, cerr)
	}
	return h, nil
}

// Close waits for the calls running on the client to end, then frees it (its idle
// connections are closed). Calls made afterwards return ErrClientClosed. Safe to call twice.
// Not to be called from inside one of the client's own writers or readers.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	for c.active > 0 {
		c.idle.Wait()
	}
	C.dc_client_free(c.handle)
	c.handle = nil
	runtime.SetFinalizer(c, nil)
	return nil
}

// SetTimeout limits every later call to t (0: no limit), as go-dockerclient's does. Like
// go-dockerclient's, it must not run while other calls are made: it waits for running calls
// to end, then replaces the client's handle (its pooled connections are closed).
func (c *Client) SetTimeout(t time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	o := options{}
	for k, v := range c.config {
		o[k] = v
	}
	o["timeout_ms"] = t.Milliseconds()
	h, err := newHandle(o)
	if err != nil {
		return // only a bad option could fail, and the other options were accepted before
	}
	for c.active > 0 {
		c.idle.Wait()
	}
	C.dc_client_free(c.handle)
	c.handle, c.config = h, o
}

// acquire marks a call as running and returns the handle it uses.
func (c *Client) acquire() (*C.dc_client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClientClosed
	}
	c.active++
	return c.handle, nil
}

func (c *Client) release() {
	c.mu.Lock()
	c.active--
	if c.active == 0 {
		c.idle.Broadcast()
	}
	c.mu.Unlock()
}

// Endpoint returns the daemon's address the client was made for.
func (c *Client) Endpoint() string { return c.endpoint }

// APIVersion returns the API version the client speaks, e.g. "1.41": the pinned one, or the
// one negotiated with the daemon (negotiating now if that was not done yet).
func (c *Client) APIVersion() (string, error) {
	out, err := c.run(nil, nil, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_client_api_version(inv.client, out, cerr)
	})
	if err != nil {
		return "", err
	}
	return takeString(out), nil
}

// Ping checks that the daemon answers.
func (c *Client) Ping() error { return c.PingWithContext(context.TODO()) }

// PingWithContext is Ping, stopped when ctx ends.
func (c *Client) PingWithContext(ctx context.Context) error {
	out, err := c.runBound(ctx, func(h *C.dc_client, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_system_ping(h, out, cerr)
	})
	if err == nil {
		freeLibraryString(out)
	}
	return err
}

// Version returns the daemon's GET /version answer, as go-dockerclient's Version does.
func (c *Client) Version() (*Env, error) { return c.VersionWithContext(context.TODO()) }

// VersionWithContext is Version, stopped when ctx ends.
func (c *Client) VersionWithContext(ctx context.Context) (*Env, error) {
	out, err := c.runBound(ctx, func(h *C.dc_client, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_system_version(h, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var doc map[string]interface{}
	if err := decodeResult(out, &doc); err != nil {
		return nil, err
	}
	env := envFromMap(doc)
	return &env, nil
}

// AuthStatus is the daemon's answer to AuthCheck.
type AuthStatus struct {
	Status        string `json:"Status,omitempty"`
	IdentityToken string `json:"IdentityToken,omitempty"`
}

// AuthCheck asks the daemon to check registry credentials (POST /auth). Refused
// credentials are an error for which errors.Is(err, ErrUnauthorized) holds.
func (c *Client) AuthCheck(conf *AuthConfiguration) (AuthStatus, error) {
	var status AuthStatus
	if conf == nil {
		return status, localError(StatusInvalidArgument, "conf is nil")
	}
	creds, err := json.Marshal(conf)
	if err != nil {
		return status, localError(StatusInvalidArgument, "credentials: %v", err)
	}
	ccreds := C.CString(string(creds))
	defer freeCString(ccreds)
	out, err := c.run(nil, nil, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_system_auth(inv.client, ccreds, out, cerr)
	})
	if err != nil {
		return status, err
	}
	return status, decodeResult(out, &status)
}

// runBound makes a call of a function that takes no options (so no "cancel" key): when ctx
// can end, through a handle bound to the call's dc_cancel token.
func (c *Client) runBound(ctx context.Context, f func(h *C.dc_client, out **C.char, cerr **C.dc_error) C.dc_status) (*C.char, error) {
	return c.run(ctx, nil, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		if inv.cancel == nil {
			return f(inv.client, out, cerr)
		}
		var bound *C.dc_client
		if status := C.dc_client_with_cancel(inv.client, inv.cancel, &bound, cerr); status != C.DC_OK {
			return status
		}
		defer C.dc_client_free(bound)
		return f(bound, out, cerr)
	})
}

// normalizeEndpoint gives "host:port" go-dockerclient's meaning, tcp://host:port.
func normalizeEndpoint(endpoint string) string {
	if endpoint != "" && !strings.Contains(endpoint, "://") {
		return "tcp://" + endpoint
	}
	return endpoint
}

func envEndpoint() string {
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		return host
	}
	return "unix://" + filepath.FromSlash("/var/run/docker.sock")
}
