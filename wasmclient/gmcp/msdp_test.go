package gmcp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// MSDP's generic variables, as the gateway forwards them (MSDP over
// GMCP), feed the vitals and the room.
func TestMSDP(t *testing.T) {
	var s State
	// Variables one message each, as servers report them on change.
	for i, tc := range []struct {
		msg     string
		changed Changed
	}{
		{`MSDP {"HEALTH":"90"}`, Changed{}},
		{`MSDP {"HEALTH_MAX":"120","MANA":"30","MANA_MAX":"50","LEVEL":"7","CLASS":"Ranger"}`, Changed{Vitals: true}},
		{`MSDP {"MOVEMENT":"80","MOVEMENT_MAX":"100"}`, Changed{Vitals: true}},
		{`MSDP {"HEALTH":"90"}`, Changed{}},
		{`MSDP {"ROOM":{"VNUM":"6008","NAME":"The forest clearing","AREA":"Haon Dor","TERRAIN":"forest","EXITS":{"n":"6011","e":"6007","down":"6100"}}}`,
			Changed{Room: true}},
		{`MSDP {"ROOM_NAME":"The forest edge","ROOM_EXITS":{"w":"6008"}}`, Changed{Room: true}},
		{`MSDP {"ROOM_NAME":"The forest edge"}`, Changed{}},
	} {
		ch, err := s.Apply([]byte(tc.msg))
		if err != nil || ch != tc.changed {
			t.Fatalf("step %d %s: %+v, %v; want %+v", i, tc.msg, ch, err, tc.changed)
		}
	}
	want := []Vital{{"Health", 90, 120}, {"Mana", 30, 50}, {"Movement", 80, 100}}
	if got := s.Vitals(); !reflect.DeepEqual(got, want) {
		t.Errorf("vitals %+v, want %+v", got, want)
	}
	if KindOf("Health") != Health || KindOf("Movement") != Moves {
		t.Error("MSDP's vital names are not of their kinds")
	}
	room, ok := s.Room()
	if wantRoom := (Room{Num: "6008", Name: "The forest edge", Area: "Haon Dor", Exits: []string{"w"}}); !ok || !reflect.DeepEqual(room, wantRoom) {
		t.Errorf("room %+v, want %+v", room, wantRoom)
	}

	// A server that sends every number it has: the gauges still fit.
	var b strings.Builder
	b.WriteString(`MSDP {"HEALTH":"70","HEALTH_MAX":"120"`)
	for i := range 40 {
		fmt.Fprintf(&b, `,"A%02d":"%d"`, i, i)
	}
	b.WriteString(`,"STR":"18","STR_MAX":"25"}`)
	var many State
	if _, err := many.Apply([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	if got, want := many.Vitals(), []Vital{{"Health", 70, 120}, {"STR", 18, 25}}; !reflect.DeepEqual(got, want) {
		t.Errorf("vitals among 40 other numbers %+v, want %+v", got, want)
	}

	// The package name is case-sensitive; malformed JSON is an error that
	// changes nothing; a ROOM that is not a table leaves the room alone.
	if ch, err := s.Apply([]byte(`msdp {"HEALTH":"1"}`)); err != nil || ch != (Changed{}) {
		t.Errorf("lower-case msdp: %+v, %v; want it ignored", ch, err)
	}
	if _, err := s.Apply([]byte(`MSDP {"HEALTH":`)); err == nil {
		t.Error("malformed MSDP JSON: no error")
	}
	if ch, err := s.Apply([]byte(`MSDP {"ROOM":"6008"}`)); err != nil || ch.Room {
		t.Errorf("ROOM as text: %+v, %v; want the room unchanged", ch, err)
	}
	if got := s.Vitals(); !reflect.DeepEqual(got, want) {
		t.Errorf("vitals after the errors %+v, want %+v", got, want)
	}
}
