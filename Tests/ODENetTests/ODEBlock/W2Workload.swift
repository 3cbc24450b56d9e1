import Foundation
import Autodiff

/// The peers' W2 workload (shared/peers/RESULTS.md), from the committed copy of its inputs and its
/// float64 reference (torchdiffeq at rtol 1e-12, atol 1e-14; the peers agree with it).
struct W2Workload {
    let weights: [String: Any]
    let reference: [String: Any]

    init() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
        let w = try Data(contentsOf: fixtures.appendingPathComponent("w2_weights.json"))
        let r = try Data(contentsOf: fixtures.appendingPathComponent("w2_reference_entry.json"))
        weights = try JSONSerialization.jsonObject(with: w) as! [String: Any]
        reference = (try JSONSerialization.jsonObject(with: r) as! [String: Any])["entry"] as! [String: Any]
    }

    static func flatten(_ value: Any) -> [Double] {
        if let x = value as? Double { return [x] }
        if let x = value as? NSNumber { return [x.doubleValue] }
        return (value as! [Any]).flatMap(flatten)
    }

    static func shape(_ value: Any) -> [Int] {
        guard let array = value as? [Any] else { return [] }
        return [array.count] + shape(array[0])
    }

    func tensor<S: TensorScalar>(_ key: String, in dictionary: [String: Any]? = nil, as: S.Type) -> Tensor<S> {
        let value = (dictionary ?? weights)[key]!
        return Tensor(shape: Self.shape(value), scalars: Self.flatten(value).map { S($0) })
    }

    var times: [Double] { Self.flatten(weights["t"]!) }
    var referenceLoss: Double { reference["loss"] as! Double }
    var referenceGradients: [String: Any] { reference["grads"] as! [String: Any] }
}
