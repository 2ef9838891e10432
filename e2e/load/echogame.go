package main

import (
	"bufio"
	"net"
	"sync"
)

// Telnet bytes the echo game understands (RFC 854).
const (
	iac  = 255
	dont = 254
	do   = 253
	wont = 252
	will = 251
	sb   = 250
	se   = 240
)

// echoGame is the game the load runs against: a telnet server that
// refuses every option and sends back each byte of data it receives. It
// strips the telnet commands the gateway sends, so that only what a player
// typed (and the gateway's CR LF) comes back.
//
// It is also a talkative game: after echoing a line that reads
// "#flood N" (see [floodRequest]) it sends N bytes of MUD output, as
// [writeFlood] makes them, before it reads any more input. The request is
// an ordinary line, so it works the same through every system.
type echoGame struct {
	ln    net.Listener
	block []byte // the MUD text a flood repeats
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func startEchoGame() (*echoGame, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &echoGame{ln: ln, block: mudBlock(), conns: map[net.Conn]struct{}{}}
	g.wg.Add(1)
	go g.serve()
	return g, nil
}

func (g *echoGame) Addr() string { return g.ln.Addr().String() }

func (g *echoGame) serve() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		g.conns[c] = struct{}{}
		g.mu.Unlock()
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.echo(c)
			g.mu.Lock()
			delete(g.conns, c)
			g.mu.Unlock()
		}()
	}
}

// echo copies data back, answering option requests with refusals. The
// state machine is the smallest one that is correct for a peer that
// offers nothing: DO x is answered WONT x, WILL x is answered DONT x, and
// subnegotiations are skipped. A flood request is answered after its echo.
func (g *echoGame) echo(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 16<<10)
	in := make([]byte, 16<<10)
	out := make([]byte, 0, 16<<10)
	const (
		data = iota
		cmd
		opt
		sub
		subIAC
	)
	state, verb := data, byte(0)
	// The line so far, as far as a flood request could need it.
	line := make([]byte, 0, maxRequest)
	long := false
	for {
		n, err := r.Read(in)
		out = out[:0]
		for _, b := range in[:n] {
			switch state {
			case data:
				if b == iac {
					state = cmd
					break
				}
				out = append(out, b)
				switch {
				case b == '\n':
					size, ok := parseFloodRequest(line, long)
					line, long = line[:0], false
					if !ok {
						break
					}
					if _, werr := c.Write(out); werr != nil {
						return
					}
					out = out[:0]
					if writeFlood(c, g.block, size) != nil {
						return
					}
				case len(line) < maxRequest:
					line = append(line, b)
				default:
					long = true
				}
			case cmd:
				switch b {
				case iac:
					out = append(out, iac, iac)
					state = data
				case will, wont, do, dont:
					verb, state = b, opt
				case sb:
					state = sub
				default:
					state = data
				}
			case opt:
				switch verb {
				case do:
					out = append(out, iac, wont, b)
				case will:
					out = append(out, iac, dont, b)
				}
				state = data
			case sub:
				if b == iac {
					state = subIAC
				}
			case subIAC:
				if b == se {
					state = data
				} else {
					state = sub
				}
			}
		}
		if len(out) > 0 {
			if _, werr := c.Write(out); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF, or the gateway or Close closed the connection
		}
	}
}

// Close stops the game and closes its connections.
func (g *echoGame) Close() {
	g.ln.Close()
	g.mu.Lock()
	for c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}
