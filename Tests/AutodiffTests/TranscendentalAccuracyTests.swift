// The reference is the C library's long double (`Float80`) math, which exists only on x86 outside
// Windows; elsewhere (arm64 Linux, Apple silicon) this file compiles to nothing.
#if (arch(x86_64) || arch(i386)) && !os(Windows) && !os(Android)
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import Autodiff

/// Measures the SIMD kernels' errors in ulps against the C library's `Float80` (long double) functions, which
/// are far more precise than either tensor type, over dense sweeps, random bit patterns and special
/// values, and asserts the bounds stated in the kernels' doc comments.
final class TranscendentalAccuracyTests: XCTestCase {
    typealias Kernel<S> = (UnsafePointer<S>, UnsafeMutablePointer<S>, Int) -> Void

    /// Evenly spaced points in [low, high].
    func sweep<S: TensorScalar>(_ low: Double, _ high: Double, count: Int) -> [S] {
        (0..<count).map { S(low + (high - low) * Double($0) / Double(count - 1)) }
    }

    /// Random bit patterns (every binade, subnormals, NaNs and infinities included), filtered.
    func randomBits<S: TensorScalar>(_: S.Type, count: Int, seed: UInt64, where keep: (S) -> Bool = { _ in true }) -> [S] {
        var generator = SeededGenerator(seed: seed)
        var result: [S] = []
        while result.count < count {
            let x: S = S.self == Float.self
                ? Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) as! S
                : Double(bitPattern: generator.next()) as! S
            if keep(x) { result.append(x) }
        }
        return result
    }

    /// ±0, ±∞, NaN, the extremes of each range and a few ordinary values.
    func specials<S: TensorScalar>(_: S.Type) -> [S] {
        [0, -0.0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
         .leastNormalMagnitude, -.leastNormalMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
         1, -1, 0.5, -0.5, 2, -2, .ulpOfOne, -.ulpOfOne, 1e-30, -1e-30]
    }

    /// Largest error of `kernel` over `inputs`, in ulps of the correctly rounded result. A NaN, infinite
    /// or zero reference must be matched exactly (else the error is +∞).
    func maxUlpError<S: TensorScalar>(_ inputs: [S], _ kernel: Kernel<S>,
                                      _ reference: (Float80) -> Float80) -> (ulps: Double, at: S) {
        var outputs = [S](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { kernel(x.baseAddress!, $0.baseAddress!, x.count) }
        }
        var worst = (ulps: 0.0, at: S(0))
        for (x, y) in zip(inputs, outputs) {
            let exact = reference(Float80(x))
            let error: Double
            if exact.isNaN {
                error = y.isNaN ? 0 : .infinity
            } else if exact.isInfinite || exact == 0 || S(exact).isInfinite {
                error = y == S(exact) ? 0 : .infinity
            } else {
                let rounded = S(exact)
                let ulp = rounded.isInfinite ? S.greatestFiniteMagnitude.ulp : rounded.ulp
                error = y.isNaN ? .infinity : Double(Swift.abs(Float80(y) - exact) / Float80(ulp))
            }
            if !(error <= worst.ulps) { worst = (error, x) }
        }
        return worst
    }

    /// Asserts that `kernel` is within `bound` ulps on every input set, and prints the measured maximum.
    func assertAccuracy<S: TensorScalar>(_ name: String, _ type: S.Type, bound: Double, _ kernel: Kernel<S>,
                                         _ reference: (Float80) -> Float80, inputs: [[S]],
                                         file: StaticString = #filePath, line: UInt = #line) {
        var measured = 0.0, worst = S(0)
        for set in inputs + [specials(S.self)] {
            let (ulps, at) = maxUlpError(set, kernel, reference)
            if ulps > measured { (measured, worst) = (ulps, at) }
            XCTAssertLessThanOrEqual(ulps, bound, "\(name)<\(S.self)>: \(ulps) ulp at x = \(at)", file: file, line: line)
        }
        print("accuracy \(name)<\(S.self)>: max \(measured) ulp at x = \(worst) (bound \(bound))")
    }

    let points = 2_000_000

    func checkExp<S: TensorScalar>(_ type: S.Type, bound: Double) {
        let range = S.self == Float.self ? 110.0 : 750.0
        assertAccuracy("exp", type, bound: bound, { Kernels.exp($0, $1, count: $2) }, { expl($0) },
                       inputs: [sweep(-range, range, count: points), sweep(-1, 1, count: points / 4),
                                randomBits(S.self, count: points / 4, seed: 1)])
    }

    func checkExpm1<S: TensorScalar>(_ type: S.Type, bound: Double) {
        assertAccuracy("expm1", type, bound: bound, { Kernels.expm1($0, $1, count: $2) }, { expm1l($0) },
                       inputs: [sweep(-50, 100, count: points), sweep(-1, 1, count: points / 4),
                                randomBits(S.self, count: points / 4, seed: 2)])
    }

    func checkLog<S: TensorScalar>(_ type: S.Type, bound: Double) {
        assertAccuracy("log", type, bound: bound, { Kernels.log($0, $1, count: $2) }, { logl($0) },
                       inputs: [sweep(0.25, 4, count: points), sweep(0, 1e6, count: points / 4),
                                randomBits(S.self, count: points, seed: 3)])
    }

    func checkTanh<S: TensorScalar>(_ type: S.Type, bound: Double) {
        assertAccuracy("tanh", type, bound: bound, { Kernels.tanh($0, $1, count: $2) }, { tanhl($0) },
                       inputs: [sweep(-100, 100, count: points), sweep(-2, 2, count: points / 4),
                                randomBits(S.self, count: points / 4, seed: 4)])
    }

    func checkSigmoid<S: TensorScalar>(_ type: S.Type, bound: Double) {
        let range = S.self == Float.self ? 110.0 : 760.0
        assertAccuracy("sigmoid", type, bound: bound, { Kernels.sigmoid($0, $1, count: $2) },
                       { 1 / (1 + expl(-$0)) },
                       inputs: [sweep(-range, range, count: points), sweep(-4, 4, count: points / 4),
                                randomBits(S.self, count: points / 4, seed: 5)])
    }

    func checkSoftplus<S: TensorScalar>(_ type: S.Type, bound: Double) {
        let range = S.self == Float.self ? 110.0 : 760.0
        assertAccuracy("softplus", type, bound: bound, { Kernels.softplus($0, $1, count: $2) },
                       { $0 > 0 ? $0 + log1pl(expl(-$0)) : log1pl(expl($0)) },
                       inputs: [sweep(-range, range, count: points), sweep(-4, 4, count: points / 4),
                                randomBits(S.self, count: points / 4, seed: 6)])
    }

    func checkElu<S: TensorScalar>(_ type: S.Type, bound: Double) {
        assertAccuracy("elu", type, bound: bound, { Kernels.elu($0, $1, count: $2, alpha: 1) },
                       { $0 > 0 ? $0 : expm1l($0) },
                       inputs: [sweep(-100, 10, count: points), sweep(-1, 1, count: points / 4),
                                randomBits(S.self, count: points / 4, seed: 7)])
    }

    func checkSinCos<S: TensorScalar>(_ type: S.Type, bound: Double) {
        // Near multiples of π/2 (where the reduction must cancel accurately), dense small and large
        // arguments, and random bit patterns of every magnitude (libm fallback beyond 10⁵).
        let nearMultiples: [S] = (1...20000).flatMap { k -> [S] in
            let x = S(Double(k * 5) * Double.pi / 2)
            return [x, x.nextUp, x.nextDown]
        }
        let inputs: [[S]] = [sweep(-10, 10, count: points / 2), sweep(-1e5, 1e5, count: points / 2), nearMultiples,
                             randomBits(S.self, count: points / 4, seed: 8)]
        assertAccuracy("sin", type, bound: bound, { Kernels.sin($0, $1, count: $2) }, { sinl($0) }, inputs: inputs)
        assertAccuracy("cos", type, bound: bound, { Kernels.cos($0, $1, count: $2) }, { cosl($0) }, inputs: inputs)
    }

    func checkSqrt<S: TensorScalar>(_ type: S.Type) {
        assertAccuracy("sqrt", type, bound: 0.5, { Kernels.sqrt($0, $1, count: $2) }, { sqrtl($0) },
                       inputs: [randomBits(S.self, count: points / 4, seed: 9)])
    }

    func testExpIsWithinOneUlp() { checkExp(Float.self, bound: 1); checkExp(Double.self, bound: 1) }
    func testExpm1IsWithinTwoUlp() { checkExpm1(Float.self, bound: 2); checkExpm1(Double.self, bound: 2) }
    func testLogIsWithinOneUlpIncludingSubnormals() { checkLog(Float.self, bound: 1); checkLog(Double.self, bound: 1) }
    func testTanhIsWithinThreeUlp() { checkTanh(Float.self, bound: 3); checkTanh(Double.self, bound: 3) }
    func testSigmoidIsWithinThreeUlpWithoutOverflow() { checkSigmoid(Float.self, bound: 3); checkSigmoid(Double.self, bound: 3) }
    func testSoftplusIsWithinTwoUlpWithoutOverflow() { checkSoftplus(Float.self, bound: 2); checkSoftplus(Double.self, bound: 2) }
    func testEluIsWithinTwoUlp() { checkElu(Float.self, bound: 2); checkElu(Double.self, bound: 2) }
    func testSinAndCosAreCorrectlyRoundedInFloatAndWithinOneUlpInDouble() {
        checkSinCos(Float.self, bound: 0.51)
        checkSinCos(Double.self, bound: 1)
    }
    func testSqrtIsCorrectlyRounded() { checkSqrt(Float.self); checkSqrt(Double.self) }
}
#endif
