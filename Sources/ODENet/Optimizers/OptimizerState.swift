import Autodiff

/// A snapshot of an optimiser: named tensors and named hyperparameters, in a fixed order, ready to be
/// written next to the model's parameters (e.g. into a safetensors file).
///
/// Tensor names follow PyTorch's `Optimizer.state_dict()`: `state.<position>.<field>`, e.g.
/// `state.3.exp_avg`, `state.3.exp_avg_sq` and `state.3.step` (a rank-0 tensor) for Adam. Scalars carry
/// the hyperparameters under PyTorch's names (`lr`, `betas` split into `beta1`/`beta2`, `eps`,
/// `weight_decay`, …); Booleans are 0 or 1.
public struct OptimizerState<Scalar: TensorScalar>: CustomStringConvertible {
    /// The per-parameter buffers, ordered by position, then field.
    public var tensors: [(name: String, value: Tensor<Scalar>)]
    /// The hyperparameters.
    public var scalars: [(name: String, value: Double)]

    /// Creates a state from its entries.
    ///
    /// - Parameters:
    ///   - tensors: The per-parameter buffers, named `state.<i>.<field>`.
    ///   - scalars: The hyperparameters, by PyTorch's names.
    public init(tensors: [(name: String, value: Tensor<Scalar>)] = [], scalars: [(name: String, value: Double)] = []) {
        self.tensors = tensors
        self.scalars = scalars
    }

    /// The tensor named `name`, if any.
    ///
    /// - Parameter name: A buffer's name, such as `state.0.exp_avg`.
    /// - Returns: The buffer, or nil.
    public subscript(tensor name: String) -> Tensor<Scalar>? {
        tensors.first { $0.name == name }?.value
    }

    /// The scalar named `name`, if any.
    ///
    /// - Parameter name: A hyperparameter's name, such as `lr`.
    /// - Returns: Its value, or nil.
    public subscript(scalar name: String) -> Double? {
        scalars.first { $0.name == name }?.value
    }

    /// One line per entry: name and shape for tensors, name and value for scalars.
    public var description: String {
        (scalars.map { "\($0.name) = \($0.value)" } + tensors.map { "\($0.name): \($0.value.shape)" })
            .joined(separator: "\n")
    }
}

/// Reads an ``OptimizerState`` for a known set of fields, validating as it goes.
struct OptimizerStateReader<Scalar: TensorScalar> {
    /// Per position, the tensors found, by field.
    private(set) var entries: [Int: [String: Tensor<Scalar>]] = [:]
    private let state: OptimizerState<Scalar>
    private let shapes: [[Int]]

    /// Groups the tensors of `state` by position, rejecting unknown fields, positions past
    /// `parameters.count`, and buffers (fields other than `step`) whose shape differs from the
    /// parameter's.
    init(_ state: OptimizerState<Scalar>, fields: Set<String>, parameters: [Parameter<Scalar>]) throws(OptimizerStateError) {
        self.state = state
        self.shapes = parameters.map(\.shape)
        for (name, value) in state.tensors {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "state", let position = Int(parts[1]), position >= 0,
                  position < shapes.count, fields.contains(String(parts[2])) else {
                throw .unexpectedEntry(name: name)
            }
            let field = String(parts[2])
            if field == "step" {
                guard value.scalarCount == 1 else { throw .shapeMismatch(name: name, expected: [], found: value.shape) }
            } else if value.shape != shapes[position] {
                throw .shapeMismatch(name: name, expected: shapes[position], found: value.shape)
            }
            entries[position, default: [:]][field] = value
        }
    }

    /// The buffer `field` at `position`, which must be present.
    func tensor(_ field: String, at position: Int) throws(OptimizerStateError) -> Tensor<Scalar> {
        guard let value = entries[position]?[field] else { throw .missingEntry(name: "state.\(position).\(field)") }
        return value
    }

    /// The step count at `position`: a non-negative integer.
    func step(at position: Int) throws(OptimizerStateError) -> Int {
        let value = Double(try tensor("step", at: position).scalar)
        guard value >= 0, value == value.rounded(), value < 0x1p53 else {
            throw .invalidValue(name: "state.\(position).step", reason: "\(value) is not a step count")
        }
        return Int(value)
    }

    /// The hyperparameter `name`, which must be present and finite.
    func scalar(_ name: String) throws(OptimizerStateError) -> Double {
        guard let value = state[scalar: name] else { throw .missingEntry(name: name) }
        guard value.isFinite else { throw .invalidValue(name: name, reason: "\(value) is not finite") }
        return value
    }

    /// The hyperparameter `name`, which must be present, finite and satisfy `condition` — the range the
    /// optimiser's initialiser accepts, so that a loaded state can take the next step as a new one can.
    /// - Parameters:
    ///   - name: The hyperparameter's name (`lr`, `beta1`, …).
    ///   - condition: What the initialiser requires of the value.
    ///   - requirement: That requirement in words, for the message ("≥ 0", "in [0, 1)").
    func scalar(_ name: String, _ condition: (Double) -> Bool, _ requirement: String) throws(OptimizerStateError) -> Double {
        let value = try scalar(name)
        guard condition(value) else { throw .invalidValue(name: name, reason: "\(value) is not \(requirement)") }
        return value
    }

    /// The Boolean hyperparameter `name` (0 or 1).
    func flag(_ name: String) throws(OptimizerStateError) -> Bool {
        let value = try scalar(name)
        guard value == 0 || value == 1 else { throw .invalidValue(name: name, reason: "\(value) is not 0 or 1") }
        return value == 1
    }

    /// Positions that have any entry, ascending.
    var positions: [Int] { entries.keys.sorted() }
}

/// The name of buffer `field` of the parameter at `position`.
func stateName(_ position: Int, _ field: String) -> String { "state.\(position).\(field)" }
