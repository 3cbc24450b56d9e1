/// Every benchmark, in the order they run. Each workload lives in its own file and adds one line here.
let allBenchmarks: [Benchmark] = [
    gemmBenchmarks,
    mlpBenchmarks,
    derivativeBenchmarks,
    elementwiseBenchmarks,
    convBenchmarks,
    shapeOpsBenchmarks,
    w1Benchmarks,
    w1TensorBenchmarks,
    controllerBenchmarks,
    workPrecisionProblemBenchmarks,
    w2Benchmarks,
    w3Benchmarks,
    w4Benchmarks,
    w5Benchmarks,
    w6Benchmarks,
    eventBenchmarks,
].flatMap { $0 }
