package profile

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func sec(at int64, data string) Section { return Section{At: at, Data: json.RawMessage(data)} }

func TestMergeLaterWins(t *testing.T) {
	mine := Doc{Display: sec(20, `{"theme":"high-contrast"}`), Automation: sec(5, `{"version":1}`)}
	theirs := Doc{Display: sec(10, `{"theme":"default"}`), Automation: sec(30, `{"version":1,"aliases":[]}`)}
	got, o := Merge(mine, theirs, []string{Display, Automation})
	want := Doc{Display: mine[Display], Automation: theirs[Automation]}
	if !got.Equal(want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
	if !reflect.DeepEqual(o.Took, []string{Automation}) || !reflect.DeepEqual(o.Lost, []string{Automation}) || !o.Push {
		t.Fatalf("outcome %+v", o)
	}
	// Not dirty here: the other device's change is taken, nothing lost.
	if _, o := Merge(mine, theirs, nil); len(o.Lost) != 0 {
		t.Fatalf("lost %v with nothing dirty", o.Lost)
	}
}

func TestMergeTieKeepsTheirs(t *testing.T) {
	mine := Doc{Display: sec(10, `{"a":1}`)}
	theirs := Doc{Display: sec(10, `{"a":2}`)}
	got, o := Merge(mine, theirs, nil)
	if !got.Equal(theirs) || o.Push || !reflect.DeepEqual(o.Took, []string{Display}) {
		t.Fatalf("got %v %+v", got, o)
	}
}

func TestMergeOnlyMine(t *testing.T) {
	mine := Doc{Display: sec(10, `{}`)}
	got, o := Merge(mine, Doc{}, []string{Display})
	if !got.Equal(mine) || !o.Push || len(o.Took) != 0 || len(o.Lost) != 0 {
		t.Fatalf("got %v %+v", got, o)
	}
}

func TestMergeHistoryInterleaves(t *testing.T) {
	mine := Doc{History: HistorySection(40, []HistoryLine{{10, "n"}, {30, "look"}, {40, "e"}})}
	theirs := Doc{History: HistorySection(35, []HistoryLine{{10, "n"}, {20, "say hi"}, {35, "w"}})}
	got, o := Merge(mine, theirs, []string{History})
	lines, err := HistoryLines(got[History])
	if err != nil {
		t.Fatal(err)
	}
	want := []HistoryLine{{10, "n"}, {20, "say hi"}, {30, "look"}, {35, "w"}, {40, "e"}}
	if !reflect.DeepEqual(lines, want) || got[History].At != 40 {
		t.Fatalf("history %v at %d, want %v at 40", lines, got[History].At, want)
	}
	if len(o.Lost) != 0 || !o.Push {
		t.Fatalf("outcome %+v", o)
	}
}

func TestMergeHistoryBounded(t *testing.T) {
	var a, b []HistoryLine
	for i := range MaxHistory {
		a = append(a, HistoryLine{int64(2 * i), fmt.Sprint("a", i)})
		b = append(b, HistoryLine{int64(2*i + 1), fmt.Sprint("b", i)})
	}
	got, _ := Merge(Doc{History: HistorySection(1, a)}, Doc{History: HistorySection(2, b)}, nil)
	lines, _ := HistoryLines(got[History])
	if len(lines) != MaxHistory || lines[len(lines)-1].Line != fmt.Sprint("b", MaxHistory-1) {
		t.Fatalf("%d lines, last %v", len(lines), lines[len(lines)-1])
	}
}

func TestParse(t *testing.T) {
	d, err := Parse([]byte(`{"display":{"at":5,"data":{"theme":"x"}},"bad":{"at":"no"},"empty":{"at":3},"future":{"at":9,"data":[1]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || d[Display].At != 5 || string(d["future"].Data) != "[1]" {
		t.Fatalf("parsed %v", d)
	}
	for _, in := range []string{"", "null"} {
		if d, err := Parse([]byte(in)); err != nil || len(d) != 0 {
			t.Fatalf("Parse(%q) = %v, %v", in, d, err)
		}
	}
	if _, err := Parse([]byte(`[1,2]`)); err == nil {
		t.Fatal("an array parsed as a document")
	}
}

func TestEncodeTrimsHistory(t *testing.T) {
	var lines []HistoryLine
	for i := range 4000 {
		lines = append(lines, HistoryLine{int64(i), strings.Repeat("x", 100) + fmt.Sprint(i)})
	}
	d := Doc{Display: sec(1, `{"theme":"default"}`), History: HistorySection(5, lines)}
	b, left, err := Encode(d)
	if err != nil || left != nil {
		t.Fatal(err, left)
	}
	if len(b) > MaxDoc {
		t.Fatalf("encoded %d bytes, over %d", len(b), MaxDoc)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := HistoryLines(back[History])
	if len(kept) == 0 || kept[len(kept)-1] != lines[len(lines)-1] || string(back[Display].Data) != `{"theme":"default"}` {
		t.Fatalf("kept %d lines, display %s", len(kept), back[Display].Data)
	}
	// A huge automation section stays out; the rest is stored.
	huge := Doc{Display: sec(1, `{"theme":"default"}`), History: HistorySection(5, lines[:10]),
		Automation: sec(1, `"`+strings.Repeat("y", MaxDoc)+`"`)}
	b, left, err = Encode(huge)
	if err != nil || len(left) != 1 || left[0] != Automation {
		t.Fatalf("Encode of a huge automation section: left %v, %v", left, err)
	}
	back, err = Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back[Automation]; ok || string(back[Display].Data) != `{"theme":"default"}` {
		t.Fatalf("stored %s", b)
	}
	if kept, _ := HistoryLines(back[History]); len(kept) != 10 {
		t.Fatalf("the history lost %d lines to a section left out", 10-len(kept))
	}
	// Nothing fits: said so.
	if _, _, err := Encode(Doc{History: sec(1, `"`+strings.Repeat("y", MaxDoc)+`"`)}); err != ErrTooLarge {
		t.Fatalf("Encode of a history that is not a history, too large: %v", err)
	}
}

// TestSyncTwoDevices plays two devices against one stored document, as
// the gateway keeps it: a PUT names the version it replaces, and the
// loser of a race gets the winner's document and merges.
func TestSyncTwoDevices(t *testing.T) {
	type stored struct {
		version int64
		doc     Doc
	}
	gw := stored{}
	put := func(p Put) (int64, Doc, bool) {
		if p.Version != gw.version {
			return gw.version, gw.doc, false
		}
		d, err := Parse(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		gw = stored{gw.version + 1, d}
		return gw.version, d, true
	}
	store := func(s *Sync) Outcome {
		var o Outcome
		for range 3 {
			p, err := s.Put()
			if err != nil {
				t.Fatal(err)
			}
			v, d, ok := put(p)
			if ok {
				s.Stored(p, v)
				return o
			}
			o = s.Theirs(v, d)
		}
		t.Fatal("no store after 3 tries")
		return o
	}

	laptop := NewSync(Doc{Display: sec(100, `{"theme":"default"}`)})
	laptop.Theirs(0, Doc{}) // first GET: nothing stored yet
	store(laptop)
	if gw.version != 1 || laptop.Dirty() {
		t.Fatalf("version %d, dirty %v", gw.version, laptop.Dirty())
	}

	phone := NewSync(Doc{})
	if o := phone.Theirs(gw.version, gw.doc); !reflect.DeepEqual(o.Took, []string{Display}) || o.Push {
		t.Fatalf("phone's first merge %+v", o)
	}

	// Both change at once: the phone its display, the laptop its aliases.
	phone.Change(Display, 200, json.RawMessage(`{"theme":"high-contrast"}`))
	laptop.Change(Automation, 210, json.RawMessage(`{"version":1,"aliases":[{"pattern":"^k (.+)$"}]}`))
	store(phone)
	if o := store(laptop); !reflect.DeepEqual(o.Took, []string{Display}) || len(o.Lost) != 0 {
		t.Fatalf("laptop's conflict outcome %+v", o)
	}
	if gw.version != 3 || string(gw.doc[Display].Data) != `{"theme":"high-contrast"}` || gw.doc[Automation].At != 210 {
		t.Fatalf("stored v%d %v", gw.version, gw.doc)
	}

	// Both change the same section: the later change wins, and the
	// earlier device is told it lost its change.
	phone.Change(Display, 300, json.RawMessage(`{"theme":"p"}`))
	laptop.Change(Display, 310, json.RawMessage(`{"theme":"l"}`))
	store(laptop)
	if o := store(phone); !reflect.DeepEqual(o.Lost, []string{Display}) {
		t.Fatalf("phone's outcome %+v, want its display lost", o)
	}
	if string(phone.Doc()[Display].Data) != `{"theme":"l"}` || phone.Dirty() {
		t.Fatalf("phone holds %s, dirty %v", phone.Doc()[Display].Data, phone.Dirty())
	}
}

func TestSyncChangeDuringPut(t *testing.T) {
	s := NewSync(Doc{})
	s.Theirs(0, Doc{})
	s.Change(Display, 10, json.RawMessage(`{"a":1}`))
	p, _ := s.Put()
	s.Change(Display, 11, json.RawMessage(`{"a":2}`))
	s.Stored(p, 1)
	if !s.Dirty() {
		t.Fatal("a change made while the PUT was on its way counts as stored")
	}
	if s.DirtyOnly(History) || !s.DirtyOnly(Display) {
		t.Fatal("DirtyOnly is wrong with only the display changed")
	}
	s.Change(History, 5, json.RawMessage(`[]`))
	s.Change(History, 5, json.RawMessage(`[]`))
	if s.Doc()[History].At != 5 {
		t.Fatalf("same data changed the time: %d", s.Doc()[History].At)
	}
	s.Change(Display, 3, json.RawMessage(`{"a":3}`)) // the clock went back
	if s.Doc()[Display].At != 12 {
		t.Fatalf("a change with an earlier clock got at=%d, want 12", s.Doc()[Display].At)
	}
}
