//go:build race

package gongsim

// raceEnabled slows the time limits of the scale test: the race detector
// makes the generator several times slower.
const raceEnabled = true
