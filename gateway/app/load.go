package app

import (
	"encoding"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// EnvPrefix starts the name of every environment variable the gateway
// reads: DRAWBRIDGE_STATE_DIR, DRAWBRIDGE_GAME_BACKEND, ...
const EnvPrefix = "DRAWBRIDGE_"

// Setting is one configuration key: its dotted name in the config file,
// the environment variable that overrides it, and where its value came
// from.
type Setting struct {
	Name   string // "game.backend"
	Env    string // "DRAWBRIDGE_GAME_BACKEND"
	Source string // "default", "file", "env" or "flag"
	value  reflect.Value
}

// Settings lists every key of c, in the config file's order, with Source
// "default".
func (c *Config) Settings() []Setting {
	var out []Setting
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			tag := t.Field(i).Tag.Get("toml")
			if tag == "" || tag == "-" {
				continue
			}
			name := prefix + tag
			if f := v.Field(i); f.Kind() == reflect.Struct && !isLeaf(f) {
				walk(f, name+".")
			} else {
				out = append(out, Setting{
					Name:   name,
					Env:    envName(name),
					Source: "default",
					value:  f,
				})
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// movedSettings maps settings that have moved to their new names, so a
// configuration written for an older gateway gets a clear error rather
// than a setting silently ignored.
var movedSettings = map[string]string{
	"telnets.proxy_protocol": "game.proxy_protocol",
}

// envName is the environment variable for a setting: "game.backend" is
// DRAWBRIDGE_GAME_BACKEND.
func envName(setting string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(setting, ".", "_"))
}

// Set parses s into the named setting, the way the environment and flags
// give values: lists are comma-separated, durations as "90s" or "1h".
func (c *Config) Set(name, s string) error {
	for _, st := range c.Settings() {
		if st.Name == name {
			if err := setValue(st.value, s); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("unknown setting %q", name)
}

func setValue(v reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("%q: %w", s, err)
		}
		return nil
	}
	if v.Type() == reflect.TypeFor[time.Duration]() {
		d, err := parseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported type %s", v.Type())
		}
		list := reflect.MakeSlice(v.Type(), 0, 4)
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = reflect.Append(list, reflect.ValueOf(p).Convert(v.Type().Elem()))
			}
		}
		v.Set(list)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a whole number of the right size", s)
		}
		v.SetUint(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

// otherEnv are the DRAWBRIDGE_* variables that are not settings but are
// still read, each with who reads it: Load accepts them where it refuses
// any other unknown variable in the prefix.
var otherEnv = map[string]string{
	"DRAWBRIDGE_CONFIG":   "the config file's path, read by the command",
	"DRAWBRIDGE_CHROMIUM": "the browser the end-to-end tests drive",
}

// Load builds the configuration: Default, then the TOML file at path (if
// path is not empty), then DRAWBRIDGE_* variables from environ ("KEY=value"
// entries, as os.Environ gives them). It returns where each setting came
// from. A key the file does not know, a DRAWBRIDGE_* variable that is no
// setting, a value of the wrong type or a duration without a unit is an
// error that names it; Validate is left to the caller, after flags.
func Load(path string, environ []string) (Config, []Setting, error) {
	cfg := Default()
	sources := map[string]string{}
	if path != "" {
		md, err := decodeFile(path, &cfg)
		if err != nil {
			return cfg, nil, err
		}
		for _, k := range md.Keys() {
			sources[k.String()] = "file"
		}
	}
	getenv := Getenv(environ)
	errs := unknownEnv(environ)
	settings := cfg.Settings()
	for i, st := range settings {
		if s := getenv(st.Env); s != "" {
			if err := setValue(st.value, s); err != nil {
				errs = append(errs, fmt.Errorf("%s (setting %s): %w", st.Env, st.Name, err))
				continue
			}
			sources[st.Name] = "env"
		}
		if src, ok := sources[st.Name]; ok {
			settings[i].Source = src
		}
	}
	return cfg, settings, errors.Join(errs...)
}

// decodeFile reads the TOML file at path over cfg. Durations must be
// strings with a unit: TOML decodes a bare number into a time.Duration as
// nanoseconds, which is never what an operator meant.
func decodeFile(path string, cfg *Config) (toml.MetaData, error) {
	var raw map[string]any
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return toml.MetaData{}, fmt.Errorf("config file %s: %s", path, pe.ErrorWithPosition())
		}
		if errors.Is(err, fs.ErrNotExist) {
			return toml.MetaData{}, fmt.Errorf("config file %s: not found", path)
		}
		return toml.MetaData{}, fmt.Errorf("config file %s: %w", path, err)
	}
	var errs []error
	for _, st := range cfg.Settings() {
		if st.value.Type() != reflect.TypeFor[time.Duration]() {
			continue
		}
		v, ok := lookupRaw(raw, st.Name)
		if !ok {
			continue
		}
		var err error
		switch v := v.(type) {
		case int64, float64:
			err = fmt.Errorf("%v has no unit: write \"%vs\" (durations are strings with a unit: ms, s, m, h)", v, v)
		case string:
			_, err = parseDuration(v)
		default:
			err = fmt.Errorf("a %T is not a duration: write a string such as \"30s\"", v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("config file %s: %s: %w", path, st.Name, err))
		}
	}
	if len(errs) > 0 {
		return toml.MetaData{}, errors.Join(errs...)
	}
	md, err := toml.DecodeFile(path, cfg)
	if err != nil {
		return md, fmt.Errorf("config file %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			key := k.String()
			if to, ok := movedSettings[key]; ok {
				key += " (moved to " + to + ")"
			}
			keys = append(keys, key)
		}
		return md, fmt.Errorf("config file %s: unknown setting(s) %s", path, strings.Join(keys, ", "))
	}
	return md, nil
}

// lookupRaw finds a dotted setting in a decoded TOML document.
func lookupRaw(raw map[string]any, name string) (any, bool) {
	var v any = raw
	for _, part := range strings.Split(name, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

// parseDuration parses a duration with its unit. A bare number is an
// error that says how to write it, even "0": whatever the unit, the
// reader of the file should not have to guess it.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err == nil && strings.TrimLeft(s, "+-0123456789.") != "" {
		return d, nil
	}
	if _, e := strconv.ParseFloat(s, 64); e == nil {
		return 0, fmt.Errorf("%q has no unit: write \"%ss\" (units: ms, s, m, h)", s, s)
	}
	return 0, fmt.Errorf("%q is not a duration like \"30s\" or \"1h\"", s)
}

// Getenv returns a lookup in environ ("KEY=value" entries), as os.Getenv
// is in the process's environment; the last entry of a key wins, as in
// os.Getenv.
func Getenv(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// unknownEnv reports every DRAWBRIDGE_* variable in environ that is
// neither a setting nor in otherEnv, suggesting the setting it was
// probably meant to be. An empty one is ignored, as empty settings are.
func unknownEnv(environ []string) []error {
	known := map[string]bool{}
	for _, name := range Env() {
		known[name] = true
	}
	var errs []error
	seen := map[string]bool{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, EnvPrefix) || known[k] || seen[k] || v == "" {
			continue
		}
		if _, ok := otherEnv[k]; ok {
			continue
		}
		seen[k] = true
		msg := fmt.Sprintf("%s: no such setting", k)
		for from, to := range movedSettings {
			if envName(from) == k {
				msg = fmt.Sprintf("%s: the setting moved to %s (%s)", k, to, envName(to))
			}
		}
		if !strings.Contains(msg, "moved") {
			if near := nearestEnv(k); near != "" {
				msg += "; did you mean " + near + "?"
			}
		}
		errs = append(errs, errors.New(msg))
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

// nearestEnv is the setting variable closest to name by edit distance,
// when it is close enough to be a misspelling.
func nearestEnv(name string) string {
	best, bestD := "", 4
	for _, e := range Env() {
		if d := editDistance(name, e); d < bestD {
			best, bestD = e, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// WriteTOML writes the effective configuration as a config file, with a
// comment on every setting that does not come from the defaults saying
// where it does come from. Secrets never appear: the configuration only
// holds the paths of files that contain them.
func (c *Config) WriteTOML(w io.Writer, settings []Setting) error {
	var buf strings.Builder
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(c); err != nil {
		return err
	}
	from := map[string]Setting{}
	for _, s := range settings {
		from[s.Name] = s
	}
	section := ""
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]") + "."
		}
		key, _, ok := strings.Cut(line, " = ")
		if s := from[section+key]; ok && s.Source != "default" && s.Source != "" {
			origin := s.Source
			if s.Source == "env" {
				origin = "environment " + s.Env
			}
			line += "  # from " + origin
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// Env returns the names of every environment variable the gateway reads,
// for documentation and `config check`.
func Env() []string {
	var c Config
	var out []string
	for _, s := range c.Settings() {
		out = append(out, s.Env)
	}
	return slices.Clip(out)
}

// isLeaf reports whether a struct-typed setting is one value (it parses
// from text) rather than a section.
func isLeaf(v reflect.Value) bool {
	_, ok := v.Addr().Interface().(encoding.TextUnmarshaler)
	return ok
}
