package main

import (
	"fmt"
	"strings"
)

// args is a command line split into flags and positionals; flags may stand
// anywhere ("contacts add NAME CARD --addr X"), "--" ends them.
type args struct {
	flags map[string]string
	pos   []string
}

// flagSpec names a command's flags; bool flags take no value.
type flagSpec struct {
	values []string // flags that take a value: --name VALUE or --name=VALUE
	bools  []string // flags that take none: --json
}

// usageError is bad usage: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func parseArgs(in []string, spec flagSpec) (args, error) {
	a := args{flags: map[string]string{}}
	isValue := map[string]bool{}
	for _, f := range spec.values {
		isValue[f] = true
	}
	isBool := map[string]bool{}
	for _, f := range spec.bools {
		isBool[f] = true
	}
	for i := 0; i < len(in); i++ {
		s := in[i]
		if s == "--" {
			a.pos = append(a.pos, in[i+1:]...)
			break
		}
		if !strings.HasPrefix(s, "-") || s == "-" {
			a.pos = append(a.pos, s)
			continue
		}
		name := strings.TrimLeft(s, "-")
		value, hasValue := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, value, hasValue = k, v, true
		}
		switch {
		case isBool[name]:
			if hasValue && value != "true" && value != "false" {
				return a, usagef("flag --%s takes no value", name)
			}
			if !hasValue {
				value = "true"
			}
		case isValue[name]:
			if !hasValue {
				if i+1 >= len(in) {
					return a, usagef("flag --%s needs a value", name)
				}
				i++
				value = in[i]
			}
		default:
			return a, usagef("unknown flag %s", s)
		}
		a.flags[name] = value
	}
	return a, nil
}

func (a args) bool(name string) bool { return a.flags[name] == "true" }

func (a args) get(name, def string) string {
	if v, ok := a.flags[name]; ok {
		return v
	}
	return def
}

// want checks the number of positionals.
func (a args) want(n int, usage string) error {
	if len(a.pos) != n {
		return usagef("usage: tincan %s", usage)
	}
	return nil
}
