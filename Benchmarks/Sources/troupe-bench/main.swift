// troupe-bench: measures one workload per invocation and prints one JSON object.
// `run.sh` calls it once per workload and round, alternating with the Python peers.
import Foundation

// Top-level code is main-actor isolated; every hop back to the main actor costs
// ~20 µs, so the benchmarks run in a detached task.
let arguments = Array(CommandLine.arguments.dropFirst())
let exitCode = await Task.detached { await Bench.main(arguments) }.value
exit(exitCode)
