package core

import (
	"reflect"
	"testing"
	"time"
)

// fill sets every leaf of v to a distinct non-zero value, giving each slice
// one element and each pointer a target.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)) + string(rune('a'+*n/26)))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Ptr:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(int64(*n)*1000, 0).UTC()))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), n)
		}
	}
}

// leaves calls fn with a path and a setter for every leaf of v.
func leaves(v reflect.Value, path string, fn func(path string, v reflect.Value)) {
	switch v.Kind() {
	case reflect.Ptr:
		leaves(v.Elem(), path, fn)
	case reflect.Slice:
		leaves(v.Index(0), path+"[0]", fn)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			fn(path, v)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			leaves(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
		}
	default:
		fn(path, v)
	}
}

// TestHashCoversEveryField changes each field of a call, at every depth, and
// checks that the hash changes: a field left out of Hash would let an edit
// in Gong go unnoticed by the crawler.
func TestHashCoversEveryField(t *testing.T) {
	n := 0
	var base Call
	fill(reflect.ValueOf(&base).Elem(), &n)
	want := base.Hash()
	count := 0
	leaves(reflect.ValueOf(&base).Elem(), "Call", func(path string, _ reflect.Value) {
		count++
		var c Call
		m := 0
		fill(reflect.ValueOf(&c).Elem(), &m)
		leaves(reflect.ValueOf(&c).Elem(), "Call", func(p string, v reflect.Value) {
			if p != path {
				return
			}
			switch v.Kind() {
			case reflect.String:
				v.SetString(v.String() + "x")
			case reflect.Int, reflect.Int64:
				v.SetInt(v.Int() + 1)
			case reflect.Float64:
				v.SetFloat(v.Float() + 1)
			case reflect.Bool:
				v.SetBool(!v.Bool())
			case reflect.Struct:
				v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
			default:
				t.Fatalf("%s: unhandled kind %s", p, v.Kind())
			}
		})
		if c.Hash() == want {
			t.Errorf("changing %s does not change the hash", path)
		}
	})
	if count < 40 {
		t.Fatalf("walked only %d fields", count)
	}
	// Moving text between fields changes the hash too.
	a := Call{Title: "ab", Brief: "c"}
	b := Call{Title: "a", Brief: "bc"}
	if a.Hash() == b.Hash() {
		t.Error("field boundaries are not part of the hash")
	}
	if (&Call{}).Hash() == (&Call{Outcome: &Outcome{}}).Hash() {
		t.Error("an empty outcome hashes like none")
	}
}

func BenchmarkHash(b *testing.B) {
	n := 0
	var c Call
	fill(reflect.ValueOf(&c).Elem(), &n)
	c.Brief = string(make([]byte, 800))
	for b.Loop() {
		c.Hash()
	}
}
