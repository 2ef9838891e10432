package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/admincli"
)

// completion prints a shell completion script for bash or zsh, made from
// the commands table (commands and admincli.Commands), so that it offers
// exactly the commands, verbs and flags the binary takes.
func completion(args []string, stdout io.Writer) error {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "Usage: drawbridge completion bash|zsh\n\nPrint a shell completion script. bash: drawbridge completion bash > /etc/bash_completion.d/drawbridge\nzsh: source <(drawbridge completion zsh) in ~/.zshrc, after compinit.")
		return nil
	}
	if len(args) != 1 {
		return usageError{"completion: want bash or zsh (usage: drawbridge completion bash|zsh)"}
	}
	switch args[0] {
	case "bash":
		_, err := io.WriteString(stdout, "# bash completion for drawbridge. Install:\n"+
			"#   drawbridge completion bash > /etc/bash_completion.d/drawbridge\n"+
			"# or for yourself: source <(drawbridge completion bash) in ~/.bashrc\n"+
			bashCompletion()+"complete -F _drawbridge drawbridge\n")
		return err
	case "zsh":
		// zsh runs the bash function through its bash completion layer:
		// one script to keep right, not two.
		_, err := io.WriteString(stdout, "# zsh completion for drawbridge. Install: in ~/.zshrc, after compinit:\n"+
			"#   source <(drawbridge completion zsh)\n"+
			"autoload -U +X bashcompinit && bashcompinit\n"+
			bashCompletion()+"complete -F _drawbridge drawbridge\n")
		return err
	}
	return usageError{fmt.Sprintf("completion: unknown shell %q: want bash or zsh", args[0])}
}

// bashCompletion is the function _drawbridge, which completes the
// command line in COMP_WORDS up to COMP_CWORD into COMPREPLY.
func bashCompletion() string {
	cmds := commands()
	var names []string
	seen := map[string]bool{}
	for _, c := range cmds {
		first, _, _ := strings.Cut(c.name, " ")
		if !seen[first] {
			seen[first] = true
			names = append(names, first)
		}
	}
	var configFlags []string
	configFlags = append(configFlags, "-config")
	for _, f := range flagSettings() {
		configFlags = append(configFlags, "-"+f.flag)
	}
	// Flags whose values completion offers; every other flag takes a
	// value it cannot guess.
	valueCases := "        -config) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n" +
		"        -state-dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	valued := map[string]bool{"config": true, "state-dir": true}
	for _, c := range admincli.Commands {
		for _, f := range c.Flags() {
			if len(f.Values) > 0 && !valued[f.Name] {
				valued[f.Name] = true
				valueCases += fmt.Sprintf("        -%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", f.Name, strings.Join(f.Values, " "))
			}
		}
	}

	var flagCases, argCases strings.Builder
	for _, c := range cmds {
		first, sub, _ := strings.Cut(c.name, " ")
		var flags []string
		if c.config {
			flags = append(flags, configFlags...)
		}
		for _, f := range c.flags {
			flags = append(flags, "-"+f)
		}
		flags = append(flags, "-h")
		fmt.Fprintf(&flagCases, "        %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", first, strings.Join(flags, " "))
		switch {
		case sub != "":
			fmt.Fprintf(&argCases, "        %s) [[ $n -eq 0 ]] && COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", first, sub)
		case c.name == "backup":
			fmt.Fprintf(&argCases, "        %s) [[ $n -eq 0 ]] && COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", first)
		case c.name == "help":
			fmt.Fprintf(&argCases, "        %s) [[ $n -eq 0 ]] && COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", first, strings.Join(names, " "))
		default:
			ac, ok := admincli.Find(c.name)
			if !ok {
				if len(c.values) > 0 {
					fmt.Fprintf(&argCases, "        %s) [[ $n -eq 0 ]] && COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", first, strings.Join(c.values, " "))
				}
				continue
			}
			fmt.Fprintf(&argCases, "        %s)\n            if [[ $n -eq 0 ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", first, strings.Join(c.values, " "))
			for _, v := range ac.Verbs {
				for i, vals := range v.ArgValues {
					if len(vals) > 0 {
						fmt.Fprintf(&argCases, "            elif [[ ${args[0]} == %s && $n -eq %d ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", v.Name, i+1, strings.Join(vals, " "))
					}
				}
			}
			argCases.WriteString("            fi ;;\n")
		}
	}

	return `_drawbridge() {
    # zsh (through bashcompinit): arrays from 0, as in bash.
    [[ -n ${ZSH_VERSION-} ]] && setopt localoptions ksharrays
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd=${COMP_WORDS[1]} w i n
    local -a args
    COMPREPLY=()
    if [[ $COMP_CWORD -eq 1 ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--version -h" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "` + strings.Join(names, " ") + `" -- "$cur"))
        fi
        return
    fi
    case $prev in
` + valueCases + `        -h|-help|--help) ;;
        -*) [[ $cmd != completion && $cmd != version && $cmd != help ]] && return ;;
    esac
    # The verb and arguments typed so far: the words that are neither
    # flags nor their values (every flag but -h takes a value).
    for ((i = 2; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            -h|-help|--help) ;;
            --) ;;
            -*=*) ;;
            -*) ((i++)) ;;
            *) args+=("$w") ;;
        esac
    done
    n=${#args[@]}
    if [[ $cur == -* ]]; then
        case $cmd in
` + flagCases.String() + `        esac
        return
    fi
    case $cmd in
` + argCases.String() + `    esac
}
`
}
