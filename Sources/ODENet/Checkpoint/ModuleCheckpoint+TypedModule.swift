import Autodiff

// Checkpoints of a module whose scalar type is known (`Layer`, `Dynamics`, `ODEBlock`, any
// `TypedModule`): the scalar is inferred, so `as: Float.self` is not needed.
//
//     try ModuleCheckpoint.save(block, to: path)
//     try ModuleCheckpoint.load(into: block, from: path)
extension ModuleCheckpoint {
    /// The safetensors contents for `model`'s parameters, `optimizerState` and `metadata`.
    ///
    /// - Parameters:
    ///   - model: The module whose parameters (of its `ParameterScalar`) are stored under their dotted names.
    ///   - optimizerState: The optimiser's state to store beside them, or nil.
    ///   - metadata: Free-form strings for the header's `__metadata__`.
    /// - Returns: The file's contents, not yet written.
    public static func file<M: TypedModule>(
        of model: M, optimizerState: OptimizerState<M.ParameterScalar>? = nil, metadata: [String: String] = [:]
    ) -> SafetensorsFile where M.ParameterScalar: SafetensorsScalar {
        file(of: model, as: M.ParameterScalar.self, optimizerState: optimizerState, metadata: metadata)
    }

    /// Writes `model`'s parameters (and `optimizerState`, `metadata`) to `path` atomically.
    ///
    /// - Parameters:
    ///   - model: The module whose parameters (of its `ParameterScalar`) are saved.
    ///   - optimizerState: The optimiser's state to save beside them, or nil.
    ///   - metadata: Free-form strings for the header's `__metadata__` (epoch, RNG state, …).
    ///   - path: The file to write; an existing file is replaced only once the new one is complete.
    /// - Throws: ``CheckpointError`` when the file cannot be written.
    public static func save<M: TypedModule>(
        _ model: M, optimizerState: OptimizerState<M.ParameterScalar>? = nil, metadata: [String: String] = [:],
        to path: String
    ) throws(CheckpointError) where M.ParameterScalar: SafetensorsScalar {
        try save(model, as: M.ParameterScalar.self, optimizerState: optimizerState, metadata: metadata, to: path)
    }

    /// Reads `path`, validates it against `model` and assigns every parameter. On error nothing is assigned.
    ///
    /// - Parameters:
    ///   - model: The module to restore; its parameter names, shapes and dtype must match the file.
    ///   - path: The safetensors file to read.
    /// - Returns: The optimiser state and metadata stored with the parameters.
    /// - Throws: ``CheckpointError`` naming the file and the key when the file is unreadable or does not match.
    @discardableResult
    public static func load<M: TypedModule>(
        into model: M, from path: String
    ) throws(CheckpointError) -> Contents<M.ParameterScalar> where M.ParameterScalar: SafetensorsScalar {
        try load(into: model, from: path, as: M.ParameterScalar.self)
    }

    /// Validates `file` against `model` and assigns every parameter. On error nothing is assigned.
    ///
    /// - Parameters:
    ///   - model: The module to restore; its parameter names, shapes and dtype must match the file.
    ///   - file: The safetensors contents (for example read from memory); errors name `file.origin`.
    /// - Returns: The optimiser state and metadata stored with the parameters.
    /// - Throws: ``CheckpointError`` naming the key when the contents do not match.
    @discardableResult
    public static func load<M: TypedModule>(
        into model: M, from file: SafetensorsFile
    ) throws(CheckpointError) -> Contents<M.ParameterScalar> where M.ParameterScalar: SafetensorsScalar {
        try load(into: model, from: file, as: M.ParameterScalar.self)
    }
}
