import Autodiff

/// Saves and restores a module's named parameters, optionally with an optimiser's state and
/// free-form metadata (epoch, position, RNG state, …), as one safetensors file.
///
/// Keys: each parameter under its dotted name (`0.weight`, `7.odefunc.conv1._layer.bias`, the
/// PyTorch `state_dict` keys); the optimiser's buffers under `optimizer.` + their name
/// (`optimizer.state.3.momentum_buffer`) in the parameters' dtype; its hyperparameters as rank-0 F64
/// tensors `optimizer.param_groups.<name>` (`optimizer.param_groups.lr`). Metadata goes to the
/// header's `__metadata__` map. Files are written atomically (a failure leaves the old file intact).
///
/// Loading validates the whole file first — every parameter present with the model's shape and
/// dtype, no unexpected key, and, when an optimiser is restored too, its state against that optimiser —
/// and only then assigns: on any error the model and the optimiser are untouched and the
/// `CheckpointError` names the file, the key and the shapes or dtypes. Restore a model and its
/// optimiser in one call, so that they are restored together or not at all:
///
///     try ModuleCheckpoint.save(model, optimizerState: optimizer.state(), metadata: ["epoch": "3"], to: path)
///     let metadata = try ModuleCheckpoint.load(into: model, optimizer: optimizer, from: path)
///
/// The scalar type is inferred for a `TypedModule` (every `Layer`, `Dynamics` and `ODEBlock`) and from
/// the optimiser; for any other module name it with `as: Float.self`.
public enum ModuleCheckpoint {
    /// The prefix of the optimiser's entries.
    public static let optimizerPrefix = "optimizer."
    /// The prefix of the optimiser's hyperparameters (after `optimizerPrefix`).
    public static let hyperparameterPrefix = "param_groups."

    /// What a checkpoint holds besides the parameters (which `load` has assigned).
    public struct Contents<Scalar: TensorScalar> {
        /// The optimiser's state, or nil when the file has no `optimizer.` entries.
        public var optimizerState: OptimizerState<Scalar>?
        /// The header's metadata.
        public var metadata: [String: String]
    }

    /// The safetensors contents for `model`'s parameters of type `Scalar`, `optimizerState` and `metadata`.
    ///
    /// - Parameters:
    ///   - model: The module whose parameters are stored under their dotted names.
    ///   - type: The scalar type of the parameters to store.
    ///   - optimizerState: The optimiser's state to store beside them, or nil.
    ///   - metadata: Free-form strings for the header's `__metadata__`.
    /// - Returns: The file's contents, not yet written.
    public static func file<M: Module, Scalar: TensorScalar & SafetensorsScalar>(
        of model: M, as type: Scalar.Type = Scalar.self, optimizerState: OptimizerState<Scalar>? = nil,
        metadata: [String: String] = [:]
    ) -> SafetensorsFile {
        var file = SafetensorsFile(metadata: metadata)
        for (name, parameter) in model.namedParameters(of: Scalar.self) {
            file.setValues(parameter.value.scalars, shape: parameter.shape, forKey: name)
        }
        if let optimizerState {
            for (name, value) in optimizerState.tensors {
                file.setValues(value.scalars, shape: value.shape, forKey: optimizerPrefix + name)
            }
            for (name, value) in optimizerState.scalars {
                file.setValues([value], shape: [], forKey: optimizerPrefix + hyperparameterPrefix + name)
            }
        }
        return file
    }

    /// Writes `model`'s parameters (and `optimizerState`, `metadata`) to `path` atomically.
    ///
    /// - Parameters:
    ///   - model: The module whose parameters are saved.
    ///   - type: The scalar type of the parameters to save.
    ///   - optimizerState: The optimiser's state to save beside them, or nil.
    ///   - metadata: Free-form strings for the header's `__metadata__` (epoch, RNG state, …).
    ///   - path: The file to write; an existing file is replaced only once the new one is complete.
    /// - Throws: ``CheckpointError`` when the file cannot be written.
    public static func save<M: Module, Scalar: TensorScalar & SafetensorsScalar>(
        _ model: M, as type: Scalar.Type = Scalar.self, optimizerState: OptimizerState<Scalar>? = nil,
        metadata: [String: String] = [:], to path: String
    ) throws(CheckpointError) {
        try file(of: model, as: type, optimizerState: optimizerState, metadata: metadata).write(to: path)
    }

    /// Reads `path`, validates it against `model` and assigns every parameter; returns the optimiser
    /// state and metadata. On error nothing is assigned.
    ///
    /// - Parameters:
    ///   - model: The module to restore; its parameter names, shapes and dtype must match the file.
    ///   - path: The safetensors file to read.
    ///   - type: The scalar type of the parameters to restore.
    /// - Returns: The optimiser state and metadata stored with the parameters.
    /// - Throws: ``CheckpointError`` naming the file and the key when the file is unreadable or does not match.
    @discardableResult
    public static func load<M: Module, Scalar: TensorScalar & SafetensorsScalar>(
        into model: M, from path: String, as type: Scalar.Type = Scalar.self
    ) throws(CheckpointError) -> Contents<Scalar> {
        try load(into: model, from: try SafetensorsFile(contentsOf: path), as: type)
    }

    /// Validates `file` against `model` and assigns every parameter; returns the optimiser state and
    /// metadata. On error nothing is assigned. Errors name `file.origin`.
    ///
    /// - Parameters:
    ///   - model: The module to restore; its parameter names, shapes and dtype must match the file.
    ///   - file: The safetensors contents (for example read from memory).
    ///   - type: The scalar type of the parameters to restore.
    /// - Returns: The optimiser state and metadata stored with the parameters.
    /// - Throws: ``CheckpointError`` naming the key when the contents do not match.
    @discardableResult
    public static func load<M: Module, Scalar: TensorScalar & SafetensorsScalar>(
        into model: M, from file: SafetensorsFile, as type: Scalar.Type = Scalar.self
    ) throws(CheckpointError) -> Contents<Scalar> {
        let restore = try validate(file, against: model, as: type)
        restore.assign()
        return restore.contents
    }

    /// Everything a load assigns, validated and not yet assigned.
    struct Restore<Scalar: TensorScalar> {
        /// Each parameter with its new value.
        let assignments: [(parameter: Parameter<Scalar>, value: Tensor<Scalar>)]
        /// The optimiser state and metadata of the file.
        let contents: Contents<Scalar>

        /// Gives every parameter its new value (this cannot fail).
        func assign() {
            for (parameter, value) in assignments { parameter.value = value }
        }
    }

    /// Checks `file` against `model` — every parameter present with its shape and dtype, nothing
    /// unexpected, well-formed optimiser entries — and returns what a load assigns, assigning nothing.
    static func validate<M: Module, Scalar: TensorScalar & SafetensorsScalar>(
        _ file: SafetensorsFile, against model: M, as type: Scalar.Type
    ) throws(CheckpointError) -> Restore<Scalar> {
        let named = model.namedParameters(of: Scalar.self)
        // 1. Every parameter present; 2. nothing unexpected; 3. shapes and dtypes.
        let modelKeys = Set(named.map(\.name))
        for (name, _) in named where file[name] == nil {
            throw .missingKey(file: file.origin, key: name, available: file.keys)
        }
        for key in file.keys where !modelKeys.contains(key) {
            guard key.hasPrefix(optimizerPrefix) else { throw .unexpectedKey(file: file.origin, key: key) }
            let rest = key.dropFirst(optimizerPrefix.count)
            guard rest.hasPrefix("state.") || rest.hasPrefix(hyperparameterPrefix) else {
                throw .unexpectedKey(file: file.origin, key: key)
            }
        }
        var assignments: [(parameter: Parameter<Scalar>, value: Tensor<Scalar>)] = []
        assignments.reserveCapacity(named.count)
        for (name, parameter) in named {
            let scalars = try file.values(forKey: name, shape: parameter.shape, as: Scalar.self)
            assignments.append((parameter, Tensor(shape: parameter.shape, scalars: scalars)))
        }
        var optimizerState: OptimizerState<Scalar>?
        for key in file.keys where key.hasPrefix(optimizerPrefix) {
            let name = String(key.dropFirst(optimizerPrefix.count))
            var state = optimizerState ?? OptimizerState()
            if name.hasPrefix(hyperparameterPrefix) {
                let value = try file.values(forKey: key, shape: [], as: Double.self)
                state.scalars.append((String(name.dropFirst(hyperparameterPrefix.count)), value[0]))
            } else {
                let entry = try file.entry(forKey: key)
                let scalars = try file.values(forKey: key, as: Scalar.self)
                state.tensors.append((name, Tensor(shape: entry.shape, scalars: scalars)))
            }
            optimizerState = state
        }
        // The file's data order is by key; restore the optimiser's order: by position, then field.
        optimizerState?.tensors.sort { a, b in
            let (pa, pb) = (position(a.name), position(b.name))
            return pa != pb ? pa < pb : a.name < b.name
        }
        return Restore(assignments: assignments,
                       contents: Contents(optimizerState: optimizerState, metadata: file.metadata))
    }

    /// The parameter position of an optimiser entry `state.<i>.<field>` (Int.max when not of that form).
    private static func position(_ name: String) -> Int {
        let parts = name.split(separator: ".")
        return parts.count >= 2 ? Int(parts[1]) ?? Int.max : Int.max
    }
}
