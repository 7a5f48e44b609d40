package dockerclient

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Env is a list of "key=value" strings, go-dockerclient's shape for Version's answer.
type Env []string

// envFromMap turns a decoded JSON object into an Env as go-dockerclient's Env.Decode does:
// numbers as integers, strings as they are, anything else as JSON.
func envFromMap(m map[string]interface{}) Env {
	env := make(Env, 0, len(m))
	for k, v := range m {
		env.SetAuto(k, v)
	}
	return env
}

// Get returns the value of key ("" when absent).
func (env *Env) Get(key string) string { return env.Map()[key] }

// Exists reports whether key is set.
func (env *Env) Exists(key string) bool {
	_, ok := env.Map()[key]
	return ok
}

// GetBool reads key as a boolean ("", "0", "no", "false", "none" are false).
func (env *Env) GetBool(key string) bool {
	s := strings.ToLower(strings.Trim(env.Get(key), " \t"))
	return !(s == "" || s == "0" || s == "no" || s == "false" || s == "none")
}

// GetInt reads key as an int (-1 when it is not one).
func (env *Env) GetInt(key string) int { return int(env.GetInt64(key)) }

// GetInt64 reads key as an int64 (-1 when it is not one).
func (env *Env) GetInt64(key string) int64 {
	v, err := strconv.ParseInt(strings.Trim(env.Get(key), " \t"), 10, 64)
	if err != nil {
		return -1
	}
	return v
}

// GetJSON decodes the JSON value of key into iface (nothing when key is unset).
func (env *Env) GetJSON(key string, iface interface{}) error {
	s := env.Get(key)
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), iface)
}

// GetList reads key as a JSON list of strings (or a one-element list of its text).
func (env *Env) GetList(key string) []string {
	s := env.Get(key)
	if s == "" {
		return nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		l = append(l, s)
	}
	return l
}

// Set appends key=value.
func (env *Env) Set(key, value string) { *env = append(*env, key+"="+value) }

// SetAuto sets key from a decoded JSON value.
func (env *Env) SetAuto(key string, value interface{}) {
	if f, ok := value.(float64); ok {
		env.Set(key, strconv.FormatInt(int64(f), 10))
	} else if s, ok := value.(string); ok {
		env.Set(key, s)
	} else if b, err := json.Marshal(value); err == nil {
		env.Set(key, string(b))
	} else {
		env.Set(key, fmt.Sprintf("%v", value))
	}
}

// Map returns the variables as a map (the last of repeated keys wins).
func (env *Env) Map() map[string]string {
	m := make(map[string]string, len(*env))
	for _, kv := range *env {
		parts := strings.SplitN(kv, "=", 2)
		if len(parts) == 2 {
			m[parts[0]] = parts[1]
		} else {
			m[parts[0]] = ""
		}
	}
	return m
}
