//go:build !race

package gongsim

const raceEnabled = false
