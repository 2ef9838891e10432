package telnet

import (
	"encoding/json"
	"errors"
	"strings"
)

// MSDP (telnet option 69, the MUD Server Data Protocol,
// https://tintin.mudhalla.net/protocols/msdp/) sends variables as
// MSDP_VAR name MSDP_VAL value, where a value is text, a table of
// variables between MSDP_TABLE_OPEN and MSDP_TABLE_CLOSE, or an array of
// values between MSDP_ARRAY_OPEN and MSDP_ARRAY_CLOSE.
const (
	MSDPVar        byte = 1
	MSDPVal        byte = 2
	MSDPTableOpen  byte = 3
	MSDPTableClose byte = 4
	MSDPArrayOpen  byte = 5
	MSDPArrayClose byte = 6
)

// MSDPReported are the variables the Client asks a game that speaks MSDP
// to report: the generic ones of the specification that the web client
// shows, its vitals and its room (as the ROOM table, and as the flat
// variables older servers send instead).
var MSDPReported = []string{"HEALTH", "HEALTH_MAX", "MANA", "MANA_MAX", "MOVEMENT", "MOVEMENT_MAX",
	"ROOM", "ROOM_NAME", "ROOM_VNUM", "ROOM_EXITS", "AREA_NAME"}

// maxMSDPDepth bounds how deep tables and arrays may nest.
const maxMSDPDepth = 16

var errMSDP = errors.New("telnet: malformed MSDP")

// MSDPToJSON converts an MSDP subnegotiation (what follows IAC SB MSDP)
// into a JSON object, as "MSDP over GMCP" carries it
// (https://tintin.mudhalla.net/protocols/msdp/, "MSDP over GMCP"):
// variables become keys, text values strings, tables objects and arrays
// arrays; a variable given several values gets an array of them. Bytes
// that are not UTF-8 become U+FFFD. Tables and arrays nested deeper
// than 16, a value without a variable and unclosed or stray brackets are
// errors.
func MSDPToJSON(data []byte) ([]byte, error) {
	p := msdpParser{data: data}
	obj, err := p.table(0, false)
	if err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

type msdpParser struct {
	data []byte
	i    int
}

// table reads MSDP_VAR name MSDP_VAL value... until MSDP_TABLE_CLOSE
// (when nested) or the end.
func (p *msdpParser) table(depth int, nested bool) (map[string]any, error) {
	obj := map[string]any{}
	for p.i < len(p.data) {
		switch b := p.data[p.i]; b {
		case MSDPTableClose:
			if !nested {
				return nil, errMSDP
			}
			p.i++
			return obj, nil
		case MSDPVar:
			p.i++
			name := p.text()
			var vals []any
			for p.i < len(p.data) && p.data[p.i] == MSDPVal {
				p.i++
				v, err := p.value(depth)
				if err != nil {
					return nil, err
				}
				vals = append(vals, v)
			}
			switch len(vals) {
			case 0:
				obj[name] = ""
			case 1:
				obj[name] = vals[0]
			default:
				obj[name] = vals
			}
		default:
			return nil, errMSDP // a value, or a bracket, with no variable
		}
	}
	if nested {
		return nil, errMSDP
	}
	return obj, nil
}

// value reads what follows MSDP_VAL.
func (p *msdpParser) value(depth int) (any, error) {
	if p.i >= len(p.data) {
		return "", nil
	}
	switch p.data[p.i] {
	case MSDPTableOpen:
		if depth >= maxMSDPDepth {
			return nil, errMSDP
		}
		p.i++
		return p.table(depth+1, true)
	case MSDPArrayOpen:
		if depth >= maxMSDPDepth {
			return nil, errMSDP
		}
		p.i++
		arr := []any{}
		for p.i < len(p.data) {
			switch p.data[p.i] {
			case MSDPArrayClose:
				p.i++
				return arr, nil
			case MSDPVal:
				p.i++
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			default:
				return nil, errMSDP
			}
		}
		return nil, errMSDP
	}
	return p.text(), nil
}

// text reads bytes up to the next MSDP control byte, as UTF-8.
func (p *msdpParser) text() string {
	start := p.i
	for p.i < len(p.data) && p.data[p.i] > MSDPArrayClose {
		p.i++
	}
	return strings.ToValidUTF8(string(p.data[start:p.i]), "\uFFFD")
}

// AppendMSDPCommand appends an MSDP command with its values, such as
// REPORT and the variables to report, as a whole subnegotiation:
// IAC SB MSDP MSDP_VAR command (MSDP_VAL value)... IAC SE.
func AppendMSDPCommand(dst []byte, command string, values ...string) []byte {
	body := append([]byte{MSDPVar}, command...)
	for _, v := range values {
		body = append(body, MSDPVal)
		body = append(body, v...)
	}
	return AppendSubneg(dst, OptMSDP, body)
}
