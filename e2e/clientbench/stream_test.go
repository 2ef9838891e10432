package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMudStreamDeterministic(t *testing.T) {
	a, err := mudStream(7, 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := mudStream(7, 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two streams with the same seed differ")
	}
	c, err := mudStream(8, 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("streams with different seeds are equal")
	}
}

func TestMudStreamContent(t *testing.T) {
	const size = 1 << 20
	s, err := mudStream(1, size)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) < size || len(s) > size+4<<10 {
		t.Errorf("got %d bytes, want %d to %d", len(s), size, size+4<<10)
	}
	if !utf8.Valid(s) {
		t.Error("stream is not valid UTF-8")
	}
	text := string(s)
	for _, want := range []struct{ what, s string }{
		{"16-colour SGR", "\x1b[1;9"},
		{"256-colour SGR", "\x1b[38;5;"},
		{"24-bit SGR", "\x1b[38;2;"},
		{"box drawing", "┌─"},
		{"accents", "é"},
		{"exits", "[Exits:"},
		{"a prompt", "mv\x1b[0m> "},
		{"CR LF line ends", ".\r\n"},
	} {
		if !strings.Contains(text, want.s) {
			t.Errorf("stream has no %s (%q)", want.what, want.s)
		}
	}
	if !strings.HasSuffix(text, endMarker+"\r\n") {
		t.Errorf("stream ends with %q, want the end marker", text[len(text)-40:])
	}
	if strings.Count(text, endMarker) != 1 {
		t.Error("the end marker appears inside the stream")
	}
	// Every line fits the narrowest grid the benchmark uses, so the
	// screens of both clients can be compared by eye.
	for i, line := range strings.Split(text, "\r\n") {
		if n := visibleWidth(line); n > 80 {
			t.Fatalf("line %d is %d columns wide: %q", i, n, line)
		}
	}
}

// visibleWidth counts the characters of a line outside escape sequences.
func visibleWidth(line string) int {
	n, esc := 0, false
	for _, r := range line {
		switch {
		case esc:
			esc = r < 0x40 || r > 0x7e || r == '['
		case r == 0x1b:
			esc = true
		case wide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func TestMudStreamCJK(t *testing.T) {
	const size = 512 << 10
	s, err := mudStreamCJK(1, size)
	if err != nil {
		t.Fatal(err)
	}
	again, err := mudStreamCJK(1, size)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s, again) {
		t.Fatal("two CJK streams with the same seed differ")
	}
	if len(s) < size || len(s) > size+4<<10 {
		t.Errorf("got %d bytes, want %d to %d", len(s), size, size+4<<10)
	}
	if !utf8.Valid(s) {
		t.Fatal("stream is not valid UTF-8")
	}
	text := string(s)
	if !strings.HasSuffix(text, endMarker+"\r\n") || strings.Count(text, endMarker) != 1 {
		t.Error("the end marker is not once, at the end")
	}
	// Mixed: a good share of the text is wide CJK, and Latin words,
	// the prompt and the colours are there too.
	var wideBytes int
	for _, r := range text {
		if wide(r) {
			wideBytes += utf8.RuneLen(r)
		}
	}
	if share := float64(wideBytes) / float64(len(s)); share < 0.2 || share > 0.6 {
		t.Errorf("%.0f%% of the bytes are wide characters, want a mix (20%% to 60%%)", 100*share)
	}
	for _, want := range []string{"城", "마을", "ゴブリン", "the", "[Exits:", "mv\x1b[0m> ", "\x1b[38;2;"} {
		if !strings.Contains(text, want) {
			t.Errorf("stream has no %q", want)
		}
	}
	latin, err := mudStream(1, size)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(latin, []byte("城")) {
		t.Error("the Latin stream has CJK in it")
	}
	// Wide characters count twice when descriptions wrap.
	for i, line := range strings.Split(text, "\r\n") {
		if n := visibleWidth(line); n > 80 {
			t.Fatalf("line %d is %d columns wide: %q", i, n, line)
		}
	}
}

func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 3}, {"é", 1}, {"城堡", 4}, {"마을", 4}, {"ゴブリン", 8}, {"a「b」", 6}, {"☕", 1}, {"Ａ", 2},
	} {
		if got := columns(tc.s); got != tc.want {
			t.Errorf("columns(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestMudStreamSizeLimits(t *testing.T) {
	for _, size := range []int{-1, 0, minStreamSize - 1, maxStreamSize + 1} {
		if _, err := mudStream(1, size); err == nil {
			t.Errorf("size %d: got no error", size)
		}
	}
}

func TestSplitStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream string
		limit  int
		want   []string
	}{
		{"fits", "abc", 8, []string{"abc"}},
		{"exact", "abcdefgh", 4, []string{"abcd", "efgh"}},
		{"rest", "abcdefghi", 4, []string{"abcd", "efgh", "i"}},
		{"two-byte rune at the cut", "abcé", 4, []string{"abc", "é"}},
		{"four-byte rune at the cut", "a😀b", 4, []string{"a", "😀", "b"}},
		{"box drawing", "┌──┐", 6, []string{"┌─", "─┐"}},
		{"box drawing, odd limit", "┌──┐", 5, []string{"┌", "─", "─", "┐"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitStream([]byte(tc.stream), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var gotS []string
			for _, c := range got {
				gotS = append(gotS, string(c))
			}
			if strings.Join(gotS, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", gotS, tc.want)
			}
		})
	}
}

func TestSplitStreamWhole(t *testing.T) {
	s, err := mudStream(3, 300<<10)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := splitStream(s, 4<<10)
	if err != nil {
		t.Fatal(err)
	}
	var joined []byte
	for i, c := range chunks {
		if len(c) == 0 || len(c) > 4<<10 {
			t.Fatalf("chunk %d has %d bytes", i, len(c))
		}
		if !utf8.Valid(c) {
			t.Fatalf("chunk %d is not valid UTF-8 on its own", i)
		}
		joined = append(joined, c...)
	}
	if !bytes.Equal(joined, s) {
		t.Fatal("the chunks do not add up to the stream")
	}
}

func TestSplitStreamErrors(t *testing.T) {
	if _, err := splitStream([]byte("abc"), utf8.UTFMax-1); err == nil {
		t.Error("a limit below the longest character: got no error")
	}
	if _, err := splitStream(nil, 4096); err == nil {
		t.Error("an empty stream: got no error")
	}
	if _, err := splitStream([]byte{'a', 0x80, 0x80, 0x80, 0x80, 0x80}, 4); err == nil {
		t.Error("continuation bytes only: got no error")
	}
}

func TestMakeStream(t *testing.T) {
	s, err := makeStream("CJK", mudStreamCJK, 2, 64<<10, 4<<10)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := mudStreamCJK(2, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	if s.name != "CJK" || s.total != len(whole) || !bytes.Equal(bytes.Join(s.chunks, nil), whole) {
		t.Errorf("got %q, %d bytes in %d chunks; want the CJK stream's %d bytes", s.name, s.total, len(s.chunks), len(whole))
	}
	if n := lineCount(s.chunks); n != bytes.Count(whole, []byte("\n")) || n < 500 {
		t.Errorf("lineCount = %d, want %d", n, bytes.Count(whole, []byte("\n")))
	}
	if _, err := makeStream("Latin", mudStream, 1, 10, 4<<10); err == nil || !strings.Contains(err.Error(), "Latin stream") {
		t.Errorf("a stream too small: got %v, want an error naming the stream", err)
	}
	if _, err := makeStream("Latin", mudStream, 1, 64<<10, 2); err == nil {
		t.Error("messages too small: got no error")
	}
}
