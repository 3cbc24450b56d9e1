/// Every benchmark, in the order they run. Each workload lives in its own file and adds one line here.
let allBenchmarks: [Benchmark] = [
    gemmBenchmarks,
    mlpBenchmarks,
    convBenchmarks,
    w1Benchmarks,
    workPrecisionBenchmarks,
    w2Benchmarks,
    w4Benchmarks,
].flatMap { $0 }
