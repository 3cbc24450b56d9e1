import XCTest
import Solvers

/// Random problems with random bad arguments through the public solve API: every case ends in a typed
/// `SolverError` or a finite answer, never a trap (a trap would end the test process).
final class BadArgumentPropertyTests: XCTestCase {
    /// One argument that may be bad.
    enum Bad: CaseIterable {
        case none, nanState, infiniteState, nonMonotoneTimes, duplicateTimes, timeOutsideSpan, zeroTolerances,
             negativeTolerance, nanTolerance, tinyStep, hugeStep, zeroStep, negativeStep, nanStep,
             maxStepsZero, maxStepsOne, maxStepsNegative, infiniteEnd, nanEnd, emptySpan
    }

    func testEveryBadArgumentEndsInATypedErrorOrAFiniteAnswer() throws {
        var generator = SplitMix64(state: 14)
        var outcomes: [String: Int] = [:]
        for trial in 0..<400 {
            let bad = Bad.allCases[trial % Bad.allCases.count]
            let n = Int.random(in: 1...4, using: &generator)
            // dy/dt = −k·y + sin(t): a random stable linear field.
            let rates = (0..<n).map { _ in Double.random(in: 0.1...2.1, using: &generator) }
            var start = 0.0, end = Double.random(in: 0.5...2.5, using: &generator)
            var state = (0..<n).map { _ in Double.random(in: -2...2, using: &generator) }
            var times = (0...4).map { start + (end - start) * Double($0) / 4 }
            var rtol = 1e-6, atol = 1e-9, stepSize = (end - start) / 20, maxSteps = 100_000
            switch bad {
            case .none: break
            case .nanState: state[0] = .nan
            case .infiniteState: state[n - 1] = -.infinity
            case .nonMonotoneTimes: times.swapAt(1, 3)
            case .duplicateTimes: times[2] = times[1]
            case .timeOutsideSpan: times[4] = end + 1
            case .zeroTolerances: (rtol, atol) = (0, 0)
            case .negativeTolerance: rtol = -1e-6
            case .nanTolerance: atol = .nan
            case .tinyStep: stepSize = 1e-300
            case .hugeStep: stepSize = 1e300
            case .zeroStep: stepSize = 0
            case .negativeStep: stepSize = -0.01
            case .nanStep: stepSize = .nan
            case .maxStepsZero: maxSteps = 0
            case .maxStepsOne: maxSteps = 1
            case .maxStepsNegative: maxSteps = -5
            case .infiniteEnd: end = .infinity
            case .nanEnd: end = .nan
            case .emptySpan: (start, end) = (1, 1)
            }
            let problem = ODEProblem(timeSpan: TimeSpan(start: start, end: end), initialState: state) { t, y, dy in
                for i in 0..<y.count { dy[i] = -rates[i] * y[i] + sin(t) }
            }
            let adaptive = Result {
                try solve(problem, using: .dormandPrince54,
                          controller: StepSizeController(relativeTolerance: rtol, absoluteTolerance: atol),
                          saveAt: .times(times.filter { $0.isFinite }), maxSteps: maxSteps)
            }
            let fixed = Result { try solve(problem, using: .rk4, stepSize: stepSize) }
            for (name, result) in [("adaptive", adaptive), ("fixed", fixed)] {
                switch result {
                case .success(let solution):
                    XCTAssertTrue(solution.finalState.allSatisfy(\.isFinite), "\(bad) \(name): \(solution.finalState)")
                    outcomes["\(name) finite", default: 0] += 1
                case .failure(let error):
                    XCTAssertTrue(error is SolverError, "\(bad) \(name): \(error)")
                    outcomes["\(name) \(String(describing: error).prefix(24))", default: 0] += 1
                }
            }
            // The arguments that must be refused, whatever the problem.
            if case .failure = adaptive {} else if [.nanState, .infiniteState, .zeroTolerances, .negativeTolerance,
                                                   .nanTolerance, .maxStepsZero, .maxStepsNegative, .infiniteEnd,
                                                   .nanEnd, .nonMonotoneTimes, .timeOutsideSpan].contains(bad) {
                XCTFail("\(bad): the adaptive solve accepted it")
            }
            if case .failure(let error) = adaptive, bad == .maxStepsNegative || bad == .maxStepsZero {
                XCTAssertEqual(error as? SolverError, .invalidMaximumSteps(maxSteps))
            }
            if case .failure(let error) = fixed, bad == .tinyStep {
                guard case SolverError.tooManyFixedSteps = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertGreaterThan(outcomes["adaptive finite", default: 0], 0)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator for the test's random problems.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
