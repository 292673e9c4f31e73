package main

import (
	"regexp"
	"strconv"
	"testing"
)

// TestEvalCommand runs the evaluation set over its simulated tenant, as
// `gongconnector eval` does, and holds the figures the README reports:
// recall@10 >= 0.9 and answer accuracy >= 0.85.
func TestEvalCommand(t *testing.T) {
	code, out, errOut := cli(t, nil, "eval")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, errOut)
	}
	t.Log(out)
	figure := func(name string) float64 {
		m := regexp.MustCompile(name + `\s+([0-9.]+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("eval prints no %s:\n%s", name, out)
		}
		f, _ := strconv.ParseFloat(m[1], 64)
		return f
	}
	if r := figure("recall@10"); r < 0.9 {
		t.Errorf("recall@10 %.3f < 0.9", r)
	}
	if a := figure("answer accuracy"); a < 0.85 {
		t.Errorf("answer accuracy %.3f < 0.85", a)
	}
	figure("MRR")
}
