package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// asset is one file of the client under its logical name (client.wasm),
// the name the pages use.
type asset struct {
	name string
	data []byte
}

// packed is an asset as written: its hashed name and the sizes of its
// three bodies.
type packed struct {
	logical, name     string
	raw, gzip, brotli int64
	reused            bool // the twins were already there
}

const (
	// manifestName is read by the gateway (gateway/internal/web).
	manifestName = "manifest.json"
	// hashLen is how many hex digits of the SHA-256 go into a name: 64
	// bits, plenty to tell one build from another.
	hashLen = 16
	// tempPrefix starts the names of files being written; the gateway
	// ignores names that start with a dot, and a later build removes any
	// that an interrupted one left.
	tempPrefix = ".build-"

	// brotliQuality and brotliWindow are the brotli settings. Measured on
	// the 14.3 MB client (quality 11): window 2^22 2.497 MB, 2^23 2.476
	// MB, 2^24 2.475 MB, each in about 33 s. 2^23 takes nearly all the
	// gain for half the 2^24 window a browser allocates to decode it.
	brotliQuality = 11
	brotliWindow  = 23
)

// pack writes each asset into dir under its hashed name, with brotli and
// gzip twins, then the manifest, then removes the files of earlier builds
// (hashed names of the same assets, the unhashed names of the old layout,
// and temporary files). Other files, such as .gitkeep, stay. Each file is
// written under a temporary name and renamed, so an interrupted build
// never leaves a truncated file under a name the gateway serves.
func pack(dir string, assets []asset) ([]packed, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	manifest := make(map[string]string, len(assets))
	keep := map[string]bool{manifestName: true}
	var out []packed
	for _, a := range assets {
		if err := checkLogical(a.name); err != nil {
			return nil, err
		}
		if _, dup := manifest[a.name]; dup {
			return nil, fmt.Errorf("asset %s given twice", a.name)
		}
		p, err := writeAsset(dir, a)
		if err != nil {
			return nil, err
		}
		manifest[a.name] = p.name
		keep[p.name], keep[p.name+".br"], keep[p.name+".gz"] = true, true, true
		out = append(out, p)
	}
	b, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := writeFile(dir, manifestName, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return nil, err
	}
	if err := removeStale(dir, assets, keep); err != nil {
		return nil, err
	}
	return out, nil
}

// checkLogical rejects a name that could not be hashed into a plain file
// name of dir.
func checkLogical(name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || path.Ext(name) == "" || name == manifestName {
		return fmt.Errorf("asset name %q: want a plain file name with an extension", name)
	}
	return nil
}

// hashedName puts the content's hash before the name's extension:
// client.wasm becomes client.<16 hex digits>.wasm.
func hashedName(logical string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(logical)
	return strings.TrimSuffix(logical, ext) + "." + hex.EncodeToString(sum[:])[:hashLen] + ext
}

// writeAsset writes one asset and its twins, the twins first and in
// parallel, so that the raw file exists only once its twins do.
func writeAsset(dir string, a asset) (packed, error) {
	p := packed{logical: a.name, name: hashedName(a.name, a.data), raw: int64(len(a.data))}
	if sizes, ok := existing(dir, p.name, a.data); ok {
		p.brotli, p.gzip, p.reused = sizes[0], sizes[1], true
		return p, nil
	}
	var (
		wg           sync.WaitGroup
		brErr, gzErr error
	)
	wg.Go(func() { p.brotli, brErr = writeFile(dir, p.name+".br", compressBrotli(a.data)) })
	wg.Go(func() { p.gzip, gzErr = writeFile(dir, p.name+".gz", compressGzip(a.data)) })
	wg.Wait()
	if err := errors.Join(brErr, gzErr); err != nil {
		return p, err
	}
	_, err := writeFile(dir, p.name, func(w io.Writer) error {
		_, err := w.Write(a.data)
		return err
	})
	return p, err
}

// existing reports whether an earlier build left this asset, with both
// twins, and returns the sizes of the brotli and gzip twins.
func existing(dir, name string, data []byte) ([2]int64, bool) {
	var sizes [2]int64
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || !bytes.Equal(raw, data) {
		return sizes, false
	}
	for i, suffix := range []string{".br", ".gz"} {
		fi, err := os.Stat(filepath.Join(dir, name+suffix))
		if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
			return sizes, false
		}
		sizes[i] = fi.Size()
	}
	return sizes, true
}

func compressBrotli(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		bw := brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotliQuality, LGWin: brotliWindow})
		if _, err := bw.Write(data); err != nil {
			return fmt.Errorf("brotli: %w", err)
		}
		return bw.Close()
	}
}

// compressGzip writes a gzip stream without file name or time, so that
// the same input always gives the same bytes.
func compressGzip(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(data); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		return zw.Close()
	}
}

// writeFile writes dir/name through a temporary file and a rename, and
// returns its size.
func writeFile(dir, name string, fill func(io.Writer) error) (size int64, err error) {
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	if size, err = f.Seek(0, io.SeekCurrent); err != nil {
		return 0, err
	}
	if err := f.Chmod(0o644); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return 0, err
	}
	return size, nil
}

// removeStale removes what earlier builds of these assets left in dir.
func removeStale(dir string, assets []asset, keep map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || keep[name] || !(strings.HasPrefix(name, tempPrefix) || ofAssets(name, assets)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", name, err)
		}
	}
	return nil
}

// ofAssets reports whether a file name is one an asset's build writes or
// wrote: its logical name (the layout before hashed names) or a hashed
// one, each with or without a twin's suffix.
func ofAssets(name string, assets []asset) bool {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".br"), ".gz")
	for _, a := range assets {
		if name == a.name {
			return true
		}
		ext := path.Ext(a.name)
		hash, ok := strings.CutPrefix(name, strings.TrimSuffix(a.name, ext)+".")
		if !ok {
			continue
		}
		if hash, ok = strings.CutSuffix(hash, ext); ok && isHex(hash, hashLen) {
			return true
		}
	}
	return false
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
