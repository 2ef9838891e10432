package term

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the current output")

// goldenOp is one step of a golden script: write bytes or resize.
type goldenOp struct {
	write      []byte
	cols, rows int // resize when write is nil
}

// goldenScript is a parsed testdata/golden/*.in file.
//
// The format, one item a line:
//
//	# comment
//	size COLS ROWS [SCROLLBACK]     first, once
//	"Go-quoted string"              bytes to write, joined to the previous ones
//	resize COLS ROWS                write what came before, then resize
type goldenScript struct {
	cols, rows, scrollback int
	ops                    []goldenOp
}

func parseGolden(data []byte) (*goldenScript, error) {
	s := &goldenScript{cols: 80, rows: 24, scrollback: 100}
	var pending []byte
	flush := func() {
		if pending != nil {
			s.ops = append(s.ops, goldenOp{write: pending})
			pending = nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		ln := strings.TrimSpace(sc.Text())
		switch {
		case ln == "" || strings.HasPrefix(ln, "#"):
		case strings.HasPrefix(ln, `"`):
			str, err := strconv.Unquote(ln)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			pending = append(pending, str...)
			if pending == nil {
				pending = []byte{}
			}
		case strings.HasPrefix(ln, "size ") || strings.HasPrefix(ln, "resize "):
			f := strings.Fields(ln)
			var nums []int
			for _, v := range f[1:] {
				i, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("line %d: %v", n, err)
				}
				nums = append(nums, i)
			}
			if len(nums) < 2 {
				return nil, fmt.Errorf("line %d: want %s COLS ROWS", n, f[0])
			}
			if f[0] == "size" {
				s.cols, s.rows = nums[0], nums[1]
				if len(nums) > 2 {
					s.scrollback = nums[2]
				}
				continue
			}
			flush()
			s.ops = append(s.ops, goldenOp{cols: nums[0], rows: nums[1]})
		default:
			return nil, fmt.Errorf("line %d: cannot parse %q", n, ln)
		}
	}
	flush()
	return s, sc.Err()
}

// run plays the script; bytewise feeds writes one byte at a time.
func (s *goldenScript) run(bytewise bool) *Terminal {
	tm := New(s.cols, s.rows, s.scrollback)
	for _, op := range s.ops {
		switch {
		case op.write == nil:
			tm.Resize(op.cols, op.rows)
		case bytewise:
			for i := range op.write {
				tm.Write(op.write[i : i+1])
			}
		default:
			tm.Write(op.write)
		}
	}
	return tm
}

// render describes what the terminal shows, for the golden files.
func render(tm *Terminal) string {
	var b strings.Builder
	cols, rows := tm.Size()
	x, y, vis := tm.Cursor()
	fmt.Fprintf(&b, "size %dx%d cursor %d,%d visible %v\n", cols, rows, x, y, vis)
	fmt.Fprintf(&b, "title %q\nmodes %+v\n", tm.Title(), tm.Modes())
	fmt.Fprintf(&b, "--- scrollback %d (added %d)\n", tm.ScrollbackLen(), tm.ScrollbackAdded())
	for i := range tm.ScrollbackLen() {
		fmt.Fprintf(&b, "|%s\n", RowText(tm.ScrollbackLine(i)))
	}
	b.WriteString("--- screen\n")
	for y := range rows {
		fmt.Fprintf(&b, "|%s\n", RowText(tm.Line(y)))
	}
	b.WriteString("--- styles (runs of cells not in the default colours)\n")
	for y := range rows {
		renderRuns(&b, fmt.Sprintf("row %d", y), tm.Line(y))
	}
	for i := range tm.ScrollbackLen() {
		renderRuns(&b, fmt.Sprintf("scrollback %d", i), tm.ScrollbackLine(i))
	}
	b.WriteString("--- links (LineLinks: columns, osc8 or url, target)\n")
	for y := range rows {
		for _, s := range tm.LineLinks(tm.ScrollbackLen()+y, nil) {
			fmt.Fprintf(&b, "row %d %s\n", y, spanText(s))
		}
	}
	for i := range tm.ScrollbackLen() {
		for _, s := range tm.LineLinks(i, nil) {
			fmt.Fprintf(&b, "scrollback %d %s\n", i, spanText(s))
		}
	}
	b.WriteString("--- wide and combined cells\n")
	for y := range rows {
		for x, c := range tm.Line(y) {
			if c.Width == 2 || c.Marks[0] != 0 {
				fmt.Fprintf(&b, "row %d col %d: %q width %d", y, x, c.Rune, c.Width)
				for _, m := range c.Marks {
					if m != 0 {
						fmt.Fprintf(&b, " mark %U", m)
					}
				}
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

func renderRuns(b *strings.Builder, where string, row []Cell) {
	for x := 0; x < len(row); {
		c := row[x]
		end := x + 1
		for end < len(row) && row[end].FG == c.FG && row[end].BG == c.BG && row[end].Attr == c.Attr {
			end++
		}
		if c.FG != DefaultColor || c.BG != DefaultColor || c.Attr != 0 {
			fmt.Fprintf(b, "%s cols %d-%d: fg %v bg %v attr %v %q\n", where, x, end-1, c.FG, c.BG, c.Attr, RowText(row[x:end]))
		}
		x = end
	}
}

// TestGolden plays each testdata/golden/*.in and compares what the
// terminal shows with the .golden file beside it. Run with -update to
// rewrite the golden files, then read the diff.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*.in"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no golden inputs in testdata/golden")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			script, err := parseGolden(data)
			if err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			tm := script.run(false)
			checkInvariants(t, tm)
			got := render(tm)
			if bw := render(script.run(true)); bw != got {
				t.Errorf("byte at a time differs:\n%s\nwant\n%s", bw, got)
			}
			goldenPath := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
