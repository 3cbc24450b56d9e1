import ExampleSupport
import Foundation

// `benchmarks [PREFIX…]`: runs every benchmark, or those whose names start with one of the prefixes,
// and prints one JSON object per line (name, value, unit, and workload-specific fields).

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--w5-child", arguments.count == 3, let steps = Int(arguments[2]) {
    do { try runW5Child(mode: arguments[1], steps: steps) } catch {
        FileHandle.standardError.write("w5 child: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
    exit(0)
}
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
    USAGE: benchmarks [--list] [PREFIX ...]

    Runs the benchmarks whose names start with any PREFIX (all when none is given) and prints one
    JSON object per line: {"name", "value", "unit", ...}. Build natively for meaningful figures:
      swift run -c release --toolset native.json benchmarks sgemm
    OPTIONS:
      --list    print the benchmark names and exit
      --help    show this help
    """)
    exit(0)
}
if arguments.contains("--list") {
    for benchmark in allBenchmarks { print(benchmark.name) }
    exit(0)
}
let prefixes = arguments.filter { !$0.hasPrefix("-") }
let selected = allBenchmarks.filter { b in prefixes.isEmpty || prefixes.contains { b.name.hasPrefix($0) } }
if selected.isEmpty {
    FileHandle.standardError.write("benchmarks: no benchmark matches \(prefixes); try --list\n".data(using: .utf8)!)
    exit(1)
}
for benchmark in selected {
    do {
        for result in try benchmark.run() {
            print(result.jsonLine)
            StandardOutput.flush()
        }
    } catch {
        FileHandle.standardError.write("benchmarks: \(benchmark.name) failed: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
