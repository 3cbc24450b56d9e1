import XCTest
import Autodiff
import ODENet

/// A layer that is also a vector field: `parameters` must not be ambiguous between the two.
private final class LayerAndField: Layer, Dynamics {
    let weight = Parameter(Tensor<Double>([2, 3]))
    func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { input * weight.value }
    func callAsFunction(_ time: Tensor<Double>, _ state: Tensor<Double>) -> Tensor<Double> { state * weight.value }
}

/// A container that is neither a layer nor a field, typed by its scalar.
private final class EncoderDecoder: TypedModule {
    typealias ParameterScalar = Float
    let encoder: Linear<Float>
    let decoder: Linear<Float>
    let unrelated = Parameter(Tensor<Double>([1]))
    init() {
        var g = SeededGenerator(seed: 5)
        encoder = Linear(3, 2, using: &g)
        decoder = Linear(2, 3, bias: false, using: &g)
    }
}

/// `model.parameters` (and `namedParameters`, `parameterCount`) as properties of every `TypedModule`.
final class TypedModuleTests: XCTestCase {
    func identities<S>(_ parameters: [Parameter<S>]) -> [ObjectIdentifier] { parameters.map(ObjectIdentifier.init) }

    func testPropertiesMatchTheMethodsNamingTheScalar() {
        var g = SeededGenerator(seed: 1)
        let mlp = Sequential<Float>(Linear(2, 4, using: &g), Tanh(), Linear(4, 2, using: &g))
        XCTAssertEqual(identities(mlp.parameters), identities(mlp.parameters(of: Float.self)))
        XCTAssertEqual(mlp.parameters.count, 4)
        XCTAssertEqual(mlp.namedParameters.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(mlp.parameterCount, mlp.parameterCount(of: Float.self))
        XCTAssertEqual(mlp.parameterCount, 2 * 4 + 4 + 4 * 2 + 2)
        let old: [Parameter<Float>] = mlp.parameters()   // the method form still resolves
        XCTAssertEqual(identities(old), identities(mlp.parameters))

        let block = ODEBlock(TimeConcatenatedLinear<Double>(2, 2, using: &g))
        let typed: [Parameter<Double>] = block.parameters
        XCTAssertEqual(block.namedParameters.map(\.name), ["dynamics._layer.weight", "dynamics._layer.bias"])
        XCTAssertEqual(identities(typed), identities(block.dynamics.parameters))
    }

    func testATypeThatIsBothLayerAndDynamicsIsNotAmbiguous() {
        let model = LayerAndField()
        XCTAssertEqual(identities(model.parameters), [ObjectIdentifier(model.weight)])
    }

    func testAContainerNamingItsScalarGetsOnlyThoseParameters() {
        let model = EncoderDecoder()
        XCTAssertEqual(model.namedParameters.map(\.name), ["encoder.weight", "encoder.bias", "decoder.weight"])
        XCTAssertEqual(model.parameterCount, 3 * 2 + 2 + 2 * 3)
        XCTAssertEqual(model.parameters(of: Double.self).count, 1, "parameters of another type stay reachable")
    }

    func testGenericCodeAndExistentialsSeeTheProperty() {
        func count<L: Layer>(_ layer: L) -> Int { layer.parameters.count }
        var g = SeededGenerator(seed: 2)
        let layer: any Layer<Float> = Linear<Float>(3, 3, using: &g)
        XCTAssertEqual(layer.parameters.count, 2)
        XCTAssertEqual(count(Linear<Double>(3, 1, bias: false, using: &g)), 1)
    }
}
