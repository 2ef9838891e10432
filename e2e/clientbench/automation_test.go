package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/gamelog"
)

// TestBenchModel: the automation run's model is one the client accepts
// whole (100 triggers, 20 aliases, none left out), and a third or more
// of its triggers fire on the benchmark's stream, as a player's would.
func TestBenchModel(t *testing.T) {
	js, err := benchModel()
	if err != nil {
		t.Fatal(err)
	}
	m, err := automation.ImportJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Triggers) != benchTriggers || len(m.Aliases) != benchAliases {
		t.Fatalf("%d triggers and %d aliases, want %d and %d", len(m.Triggers), len(m.Aliases), benchTriggers, benchAliases)
	}
	fired := map[string]bool{}
	for _, tr := range m.Triggers {
		one := automation.Model{Version: automation.Version, Triggers: []automation.Trigger{tr}}
		e, err := automation.New(one, automation.Options{})
		if err != nil {
			t.Fatalf("trigger %q left out: %v", tr.Name, err)
		}
		if tr.Gag || tr.Commands != "" {
			t.Fatalf("trigger %q gags or sends: the flood must be drawn whole", tr.Name)
		}
		stream, err := mudStream(1, 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(gamelog.Plain(stream), "\n") {
			if r := e.Line(line); len(r.Highlights) > 0 || len(r.Sounds) > 0 {
				fired[tr.Name] = true
				break
			}
		}
	}
	if len(fired) < benchTriggers/3 {
		t.Fatalf("%d of %d triggers fire on the stream, want a third or more", len(fired), benchTriggers)
	}
	if got := automationJS(js); !strings.Contains(got, automationQuery) {
		t.Fatal("the setup script does not look for the automation page")
	}
}

// TestBenchModelSnapshot: wasmclient/automation's BenchmarkStream, which
// measures the automation run's cost where it can run in WebAssembly
// (this package cannot: chromedp), reads this run's model and the start
// of its stream from its testdata; they must be what this package makes.
// After changing benchModel or the stream, write them again:
// benchModel()'s JSON to model.json, mudStream(1, 128<<10) to stream.txt.
func TestBenchModelSnapshot(t *testing.T) {
	dir := filepath.Join("..", "..", "wasmclient", "automation", "testdata", "clientbench")
	js, err := benchModel()
	if err != nil {
		t.Fatal(err)
	}
	stream, err := mudStream(1, 128<<10)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"model.json": []byte(js), "stream.txt": stream} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s in %s is not what this package makes: write it again", name, dir)
		}
	}
}
