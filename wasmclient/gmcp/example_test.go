package gmcp_test

import (
	"fmt"

	"github.com/drawbridge/drawbridge/wasmclient/gmcp"
)

func ExampleState_Apply() {
	var s gmcp.State
	for _, msg := range []string{
		`Char.Vitals {"hp":"4500","maxhp":"4500","mp":"3000","maxmp":"3200","bal":"1"}`,
		`Room.Info {"num":123,"name":"A Dusty Road","area":"Ashtan","exits":{"w":122,"n":125}}`,
		`Comm.Channel.Text {"channel":"say"}`,
	} {
		changed, err := s.Apply([]byte(msg))
		fmt.Printf("%+v %v\n", changed, err)
	}
	fmt.Println(s.Vitals())
	room, _ := s.Room()
	fmt.Printf("%+v\n", room)
	// Output:
	// {Vitals:true Room:false} <nil>
	// {Vitals:false Room:true} <nil>
	// {Vitals:false Room:false} <nil>
	// [{HP 4500 4500} {MP 3000 3200}]
	// {Num:123 Name:A Dusty Road Area:Ashtan Exits:[n w]}
}
