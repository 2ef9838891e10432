package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The talkative-game scenarios: each player asks the game for a flood of
// MUD output and counts it in. What is compared across systems is the
// game's own bytes, the text a player's terminal gets: through the
// gateway, the payload of Output frames; through websockify and socat, the
// raw bytes, which are the same because the game sends no telnet commands
// while it floods.

// Bounds of a flood request: the smallest leaves room for the trailer,
// the largest keeps one request's loop bounded.
const (
	floodMin   = 64
	floodMax   = 1 << 30
	maxRequest = 24 // longest request line, "#flood 1073741824" and room
)

// floodRequest is the line that asks the game for n bytes of output.
func floodRequest(n int) []byte { return fmt.Appendf(nil, "#flood %d", n) }

// parseFloodRequest reads a line (without its LF; long if it was cut at
// maxRequest) as a flood request and returns the size asked for.
func parseFloodRequest(line []byte, long bool) (int, bool) {
	rest, ok := bytes.CutPrefix(bytes.TrimSuffix(line, []byte("\r")), []byte("#flood "))
	if !ok || long {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest))
	if err != nil || n < floodMin || n > floodMax {
		return 0, false
	}
	return n, true
}

// floodTrailer is how a flood of n bytes ends: a line of its own that a
// player can check, after a CR LF that ends whatever line was cut short.
func floodTrailer(n int) []byte {
	return fmt.Appendf(nil, "\r\n\x1b[0m-- end of flood of %d bytes --\r\n", n)
}

// writeFlood writes a flood of exactly n bytes (floodMin <= n): block over
// and over, cut short where the trailer must start, then the trailer.
func writeFlood(w io.Writer, block []byte, n int) error {
	tr := floodTrailer(n)
	for body := n - len(tr); body > 0; {
		k := min(body, len(block))
		if _, err := w.Write(block[:k]); err != nil {
			return err
		}
		body -= k
	}
	_, err := w.Write(tr)
	return err
}

// mudBlock is about 64 KiB of typical MUD output, whole lines: room
// descriptions, combat, channels and status prompts, coloured with ANSI
// SGR sequences, some UTF-8, every line ending in CR LF. No byte is 255
// (telnet's IAC), NUL, or a CR without its LF, so the game sends it as it
// is and a terminal shows it as it is.
func mudBlock() []byte {
	rooms := []string{"The Market Square", "A Narrow Alley", "The Old Mill", "Café of the Drowned Rat", "North Gate"}
	mobs := []string{"the orc", "a giant rat", "the cutpurse", "a town guard", "the troll"}
	words := strings.Fields("the wind carries smoke from the forge across wet cobbles while gulls circle over " +
		"the harbour and a bell rings somewhere to the east beyond the walls of the keep")
	x := uint32(2463534242) // xorshift32: the same block every run
	next := func(n int) int {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x % uint32(n))
	}
	var b, line []byte
	for len(b) < 64<<10-200 {
		line = line[:0]
		switch next(8) {
		case 0:
			line = fmt.Appendf(line, "\x1b[1;33m%s\x1b[0m\r\n", rooms[next(len(rooms))])
		case 1, 2:
			line = append(line, "\x1b[0;37m"...)
			for i, n := 0, 8+next(8); i < n; i++ {
				if i > 0 {
					line = append(line, ' ')
				}
				line = append(line, words[next(len(words))]...)
			}
			line = append(line, ".\x1b[0m\r\n"...)
		case 3:
			line = fmt.Appendf(line, "\x1b[0;36mExits: \x1b[1;36mnorth east south\x1b[0m — \x1b[0;32m%d\x1b[0m players here\r\n", next(9))
		case 4:
			line = fmt.Appendf(line, "\x1b[1;31m%s hits you for %d damage!\x1b[0m\r\n", mobs[next(len(mobs))], 1+next(40))
		case 5:
			line = fmt.Appendf(line, "\x1b[1;32mYou slash %s for %d damage.\x1b[0m\r\n", mobs[next(len(mobs))], 1+next(40))
		case 6:
			line = fmt.Appendf(line, "\x1b[0;35m[gossip] Player%d: anyone selling rope near the %s?\x1b[0m\r\n", next(500), rooms[next(len(rooms))])
		case 7:
			line = fmt.Appendf(line, "<\x1b[32m%dhp\x1b[0m \x1b[34m%dmn\x1b[0m \x1b[33m%dmv\x1b[0m>\r\n", next(1000), next(500), next(300))
		}
		b = append(b, line...)
	}
	return b
}

// floodCheck takes in what one player receives after asking for a flood:
// first the echo of the request, then the flood, which it counts and sums
// without keeping it.
type floodCheck struct {
	echo    []byte // the rest of the expected echo of the request
	size    int    // the flood's size
	got     int    // flood bytes so far
	sum     uint32 // CRC-32 of them
	trailer []byte // the expected trailer
	tail    []byte // what arrived where the trailer belongs
}

func newFloodCheck(size int) *floodCheck {
	tr := floodTrailer(size)
	return &floodCheck{
		echo:    append(floodRequest(size), '\r', '\n'),
		size:    size,
		trailer: tr,
		tail:    make([]byte, 0, len(tr)),
	}
}

// feed takes the next bytes of output; it fails on output that is not
// the echo or that is more than the flood asked for.
func (f *floodCheck) feed(p []byte) error {
	if len(f.echo) > 0 {
		k := min(len(p), len(f.echo))
		if !bytes.Equal(p[:k], f.echo[:k]) {
			return fmt.Errorf("the echo of the request came back as %q", p[:k])
		}
		f.echo, p = f.echo[k:], p[k:]
	}
	if len(p) > f.size-f.got {
		return fmt.Errorf("%d bytes more than the %d asked for", len(p)-(f.size-f.got), f.size)
	}
	f.sum = crc32.Update(f.sum, crc32.IEEETable, p)
	if start := f.size - len(f.trailer); f.got+len(p) > start {
		f.tail = append(f.tail, p[max(0, start-f.got):]...)
	}
	f.got += len(p)
	return nil
}

// done reports whether the whole flood has arrived.
func (f *floodCheck) done() bool { return len(f.echo) == 0 && f.got == f.size }

// verify checks what arrived against the flood's CRC-32 and trailer.
func (f *floodCheck) verify(want uint32) error {
	switch {
	case !f.done():
		return fmt.Errorf("%d of %d flood bytes arrived", f.got, f.size)
	case !bytes.Equal(f.tail, f.trailer):
		return fmt.Errorf("the flood ended with %q, not its trailer", f.tail)
	case f.sum != want:
		return fmt.Errorf("the flood arrived changed: CRC-32 %08x, want %08x", f.sum, want)
	}
	return nil
}

// floodSum is the CRC-32 of the flood of n bytes made of block.
func floodSum(block []byte, n int) uint32 {
	h := crc32.NewIEEE()
	writeFlood(h, block, n) // a hash's Write does not fail
	return h.Sum32()
}

// talkScenarios are the talkative-game scenarios by name: how many
// players each ask for a whole flood at once.
var talkScenarios = map[string]int{
	"talk1":  1,
	"talk20": 20,
}

// talkHeader heads the talkative-game table.
const talkHeader = "| scenario | players | MiB each | MiB/s, all players | time to deliver p50 | max | memory peak (before) | CPU per MiB: system, load tool | on the wire | errors |\n|---|---|---|---|---|---|---|---|---|---|"

// talkResult is what one talkative-game run measured.
type talkResult struct {
	name     string
	players  int
	size     int             // flood bytes asked for by each player
	times    []time.Duration // each player's, request to last byte, sorted
	elapsed  time.Duration   // first request to last byte of all
	cpu      time.Duration   // of the system under load
	toolCPU  time.Duration   // of the load tool: the game and the players
	memKB    int             // the system's memory before the flood
	peakKB   int             // and its peak during it
	wire     int64           // bytes the players read from the network
	payload  int64           // the game's bytes in them: echo and flood
	errs     int
	firstErr error
}

// mibs is the flood's throughput over all players in MiB/s, counting only
// floods that arrived whole.
func (r talkResult) mibs() float64 {
	return float64(r.size) * float64(len(r.times)) / (1 << 20) / r.elapsed.Seconds()
}

// row is the result as a line of the talkative-game table.
func (r talkResult) row() string {
	perMiB, wire := "-", "-"
	if mib := float64(r.size) * float64(len(r.times)) / (1 << 20); mib > 0 {
		per := func(d time.Duration) string {
			if d <= 0 {
				return "-"
			}
			return time.Duration(float64(d) / mib).Round(10 * time.Microsecond).String()
		}
		perMiB = per(r.cpu) + ", " + per(r.toolCPU)
	}
	if r.payload > 0 {
		wire = fmt.Sprintf("%+.1f%%", 100*(float64(r.wire)/float64(r.payload)-1))
	}
	return fmt.Sprintf("| %s | %d | %.2f | %.1f | %v | %v | %.1f MiB (%.1f) | %s | %s | %d |", r.name, r.players,
		float64(r.size)/(1<<20), r.mibs(), pct(r.times, 0.50).Round(time.Millisecond), maxDur(r.times).Round(time.Millisecond),
		float64(r.peakKB)/1024, float64(r.memKB)/1024, perMiB, wire, r.errs)
}

func maxDur(sorted []time.Duration) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[len(sorted)-1]
}

// talkRatios compares the gateway's row with the others' (above 1: the
// gateway is better): throughput as gateway/other, the slowest delivery
// and the memory peak as other/gateway.
func talkRatios(res []talkResult) string {
	if len(res) < 2 || !strings.HasSuffix(res[0].name, " drawbridge") {
		return ""
	}
	gw := res[0]
	var parts []string
	for _, o := range res[1:] {
		parts = append(parts, fmt.Sprintf("vs %s: throughput x%.2f, slowest delivery x%.2f, memory peak x%.2f",
			o.name, gw.mibs()/o.mibs(), float64(maxDur(o.times))/float64(max(1, maxDur(gw.times))),
			float64(o.peakKB)/float64(max(1, gw.peakKB))))
	}
	return gw.name + " " + strings.Join(parts, "; ")
}

// talkNote says what the talkative-game table counts.
func talkNote(size int) string {
	return fmt.Sprintf("talk: every player asks the game for %.2f MiB (%d bytes) of its own, all at once: ANSI-coloured MUD lines ending in CR LF, no telnet commands. "+
		"MiB/s counts the flood bytes every player received whole (CRC-32 and trailer checked), over the time until the last one had them; time to deliver is from a player's request to its last byte. "+
		"The game's bytes are counted alike: the gateway's Output payloads, websockify's and socat's raw bytes. "+
		"On the wire: what the player read from its TCP connection (TLS, WebSocket, the wire's type byte) over those bytes. "+
		"Memory peak: the gateway's RSS (VmHWM, reset before the flood), the proxies' summed PSS of all their processes sampled every 50 ms. "+
		"CPU per MiB: the system's, and the load tool's own (the game, the players' TLS and checks), all on the same cores",
		float64(size)/(1<<20), size)
}

// talkScenario: n players through the system start starts each ask the
// game for a flood of size bytes at the same moment and take it in.
func talkScenario(start func() (system, error), name string, n, size int, block []byte) (talkResult, error) {
	if size < floodMin || size > floodMax {
		return talkResult{}, fmt.Errorf("a flood of %d bytes: it must be %d to %d", size, floodMin, floodMax)
	}
	sys, err := start()
	if err != nil {
		return talkResult{}, err
	}
	defer sys.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	players, err := connect(ctx, sys, n)
	if err != nil {
		return talkResult{}, err
	}
	want := floodSum(block, size)
	req := floodRequest(size)

	r := talkResult{name: name + " " + sys.name(), players: n, size: size}
	if r.memKB, err = sys.memKB(); err != nil {
		closeAll(players)
		return talkResult{}, fmt.Errorf("memory of %s: %w", sys.name(), err)
	}
	sys.beginPeak()
	stopSampling := make(chan struct{})
	var (
		sampled   int
		samplerWG sync.WaitGroup
	)
	samplerWG.Add(1)
	go func() {
		defer samplerWG.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := sys.memKB(); err == nil {
				sampled = max(sampled, kb)
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()

	times := make([]time.Duration, n)
	errs := make([]error, n)
	wire := make([]int64, n)
	payload := make([]int64, n)
	cpu0, tool0 := sys.cpu(), selfCPU()
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fc := newFloodCheck(size)
			rx := p.wireBytes()
			<-ready
			t0 := time.Now()
			err := p.listen(ctx, req, fc)
			times[i] = time.Since(t0)
			wire[i] = p.wireBytes() - rx
			payload[i] = int64(len(req) + 2 + fc.got)
			if err == nil {
				err = fc.verify(want)
			}
			errs[i] = err
		}()
	}
	begin := time.Now()
	close(ready)
	wg.Wait()
	r.elapsed = time.Since(begin)
	r.toolCPU = selfCPU() - tool0
	close(stopSampling)
	samplerWG.Wait()
	r.peakKB = max(sampled, sys.peakKB())

	for i := range players {
		if errs[i] != nil {
			r.errs++
			if r.firstErr == nil {
				r.firstErr = fmt.Errorf("player %d: %w", i, errs[i])
			}
			continue
		}
		r.times = append(r.times, times[i])
		r.wire += wire[i]
		r.payload += payload[i]
	}
	slices.Sort(r.times)
	// Proxies that fork a process per connection count its CPU once it
	// has exited and been reaped.
	closeAll(players)
	time.Sleep(300 * time.Millisecond)
	r.cpu = sys.cpu() - cpu0
	if len(r.times) == 0 {
		r.elapsed = max(r.elapsed, 1) // no division by zero in the row
	}
	return r, nil
}

// selfCPU is the load tool's own CPU time so far, its children not
// included.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parseSize reads a size in bytes, with an optional KiB, MiB or GiB.
func parseSize(s string) (int, error) {
	mult := 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = v, u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || n*float64(mult) < floodMin || n*float64(mult) > floodMax {
		return 0, fmt.Errorf("want a size such as 50MiB, 256KiB or 100000 (bytes), from %d bytes to 1GiB", floodMin)
	}
	return int(n * float64(mult)), nil
}
