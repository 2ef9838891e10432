package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestRunCommandLine(t *testing.T) {
	env := func(string) string { return "" }
	tests := []struct {
		args      []string
		wantUsage bool
		wantErr   string
		wantOut   string
	}{
		{args: nil, wantUsage: true, wantErr: "no command"},
		{args: []string{"frobnicate"}, wantUsage: true, wantErr: `unknown command "frobnicate"`},
		{args: []string{"version"}, wantOut: "drawbridge dev"},
		{args: []string{"help"}, wantOut: "drawbridge serve"},
		{args: []string{"serve", "-nope"}, wantUsage: true, wantErr: "flag provided but not defined"},
		{args: []string{"serve", "extra"}, wantUsage: true, wantErr: `unexpected argument "extra"`},
		{args: []string{"serve", "-log-format", "xml"}, wantUsage: true, wantErr: "-log-format"},
		{args: []string{"serve", "-log-level", "loud"}, wantUsage: true, wantErr: "-log-level"},
		{args: []string{"serve", "-state-dir", "", "-https-addr", "nope"}, wantErr: "https-addr"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, &out, &errOut, env)
			var usage usageError
			if tc.wantUsage != errors.As(err, &usage) {
				t.Fatalf("err %v: usage error %v, want %v", err, !tc.wantUsage, tc.wantUsage)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err %v, want it to mention %q", err, tc.wantErr)
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("err %v", err)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("stdout %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
}

func TestHelpFlagIsNotAnError(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "-h"}, &out, &errOut, func(string) string { return "" })
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(errOut.String(), "-backend") {
		t.Fatalf("help %q does not list -backend", errOut.String())
	}
}

func TestDefaultStateDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"STATE_DIRECTORY": "/var/lib/drawbridge:/other", "HOME": "/home/x"}, "/var/lib/drawbridge"},
		{map[string]string{"XDG_STATE_HOME": "/xdg", "HOME": "/home/x"}, "/xdg/drawbridge"},
		{map[string]string{"HOME": "/home/x"}, "/home/x/.local/state/drawbridge"},
		{map[string]string{}, "drawbridge-state"},
	}
	for _, tc := range tests {
		if got := defaultStateDir(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("defaultStateDir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
