import XCTest
import Autodiff
import TestSupport

/// Reads the table of Autodiff.docc/NonDifferentiablePoints.md and evaluates every row: the documented value and
/// derivative are what the ops return.
final class NonDifferentiablePointsTests: XCTestCase {
    typealias T = Tensor<Double>

    /// Value and derivative (cotangent 1) of each row, keyed by its expression and point as the table writes them.
    let evaluations: [String: () throws -> (value: [Double], derivative: [Double])] = [
        "abs(x) @ x = 0": { try unary(0) { abs($0) } },
        "relu(x) @ x = 0": { try unary(0) { relu($0) } },
        "leakyRelu(x, negativeSlope: 0.1) @ x = 0": { try unary(0) { leakyRelu($0, negativeSlope: 0.1) } },
        "elu(x, alpha: 0.5) @ x = 0": { try unary(0) { elu($0, alpha: 0.5) } },
        "clamp(x, min: -1, max: 1) @ x = 1": { try unary(1) { clamp($0, min: -1, max: 1) } },
        "clamp(x, min: -1, max: 1) @ x = 2": { try unary(2) { clamp($0, min: -1, max: 1) } },
        "sqrt(x) @ x = 0": { try unary(0) { sqrt($0) } },
        "sqrt(x) @ x = -1": { try unary(-1) { sqrt($0) } },
        "log(x) @ x = 0": { try unary(0) { log($0) } },
        "log(x) @ x = -1": { try unary(-1) { log($0) } },
        "pow(x, 0.5) @ x = 0": { try unary(0) { pow($0, 0.5) } },
        "pow(x, 0) @ x = 0": { try unary(0) { pow($0, 0) } },
        "pow(x, 1.5) @ x = -1": { try unary(-1) { pow($0, 1.5) } },
        "pow(2, x) @ x = 0": { try unary(0) { pow(T([2]), $0) } },
        "pow(x, y) ∂/∂y @ x = 0, y = 2": { try unary(2) { pow(T([0]), $0) } },
        "1 / x @ x = 0": { try unary(0) { 1 / $0 } },
        "x / x @ x = 0": { try unary(0) { $0 / $0 } },
        "x.max() @ x = (1, 1)": { try vector([1, 1]) { $0.max() } },
        "x.norm() @ x = (0, 0)": { try vector([0, 0]) { $0.norm() } },
        "sqrt((x * x).sum()) @ x = (0, 0)": { try vector([0, 0]) { sqrt(($0 * $0).sum()) } },
        "l1Loss(x, 0) @ x = 0": { try unary(0) { l1Loss(predictions: $0, targets: T([0])) } },
        "x.logSumExp() @ x = (−∞, −∞)": { try vector([-.infinity, -.infinity]) { $0.logSumExp() } },
        "groupNorm(x, groups: 1) @ x = (2, 2)": {
            try vector([2, 2]) { groupNorm($0.reshaped([1, 2]), groups: 1).reshaped([2]) }
        },
    ]

    func testEveryRowOfTheTableIsWhatTheOpsReturn() throws {
        let path = SharedFolder.packageRoot.appendingPathComponent("Sources/Autodiff/Autodiff.docc/NonDifferentiablePoints.md")
        let article = try String(contentsOf: path, encoding: .utf8)
        let rows = article.split(separator: "\n").filter { $0.hasPrefix("| `") }
        XCTAssertGreaterThan(rows.count, 20)
        var seen = Set<String>()
        for row in rows {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let key = cells[1].replacingOccurrences(of: "`", with: "") + " @ " + cells[2]
            seen.insert(key)
            guard let evaluate = evaluations[key] else { XCTFail("no evaluation for the table's row \(key)"); continue }
            let (value, derivative) = try evaluate()
            assertMatches(value, cells[3], "\(key): value")
            assertMatches(derivative, cells[4], "\(key): derivative")
        }
        XCTAssertEqual(Set(evaluations.keys).subtracting(seen), [], "evaluations whose row the table lost")
    }

    /// `actual` against a cell: a number, ±∞ or NaN, or a tuple of them.
    func assertMatches(_ actual: [Double], _ cell: String, _ message: String) {
        let expected = cell.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: ",").map {
            parse($0.trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(actual.count, expected.count, "\(message): \(actual) vs \(cell)")
        for (a, e) in zip(actual, expected) {
            if e.isNaN { XCTAssertTrue(a.isNaN, "\(message): \(a), documented \(cell)"); continue }
            if e.isInfinite { XCTAssertEqual(a, e, "\(message): documented \(cell)"); continue }
            XCTAssertEqual(a, e, accuracy: 1e-15 * Swift.max(1, abs(e)), "\(message): documented \(cell)")
        }
    }

    func parse(_ text: String) -> Double {
        switch text {
        case "NaN": return .nan
        case "+∞": return .infinity
        case "−∞", "-∞": return -.infinity
        default:
            guard let value = Double(text.replacingOccurrences(of: "−", with: "-")) else {
                XCTFail("cannot read \(text) in the table"); return .nan
            }
            return value
        }
    }
}

/// f and its derivative at the scalar x (as a one-element tensor; the output summed).
private func unary(_ x: Double, _ f: (Tensor<Double>) -> Tensor<Double>) throws -> (value: [Double], derivative: [Double]) {
    let (value, gradient) = try valueWithGradient(at: Tensor([x])) { f($0).sum() }
    return ([value.scalars[0]], gradient.scalars)
}

/// f's value (all elements) and the gradient of its sum at the vector x.
private func vector(_ x: [Double], _ f: (Tensor<Double>) -> Tensor<Double>) throws -> (value: [Double], derivative: [Double]) {
    let value = f(Tensor(x))
    let gradient = try Autodiff.gradient(at: Tensor(x)) { f($0).sum() }
    return (value.scalars, gradient.scalars)
}
