/// Every benchmark, in the order they run. Each workload lives in its own file and adds one line here.
let allBenchmarks: [Benchmark] = [] + elementwiseBenchmarks
