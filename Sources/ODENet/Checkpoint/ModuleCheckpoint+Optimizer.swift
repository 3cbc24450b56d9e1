import Autodiff

// Restoring a model and its optimiser in one call: the file is validated against both before either
// changes, so a checkpoint with valid weights and a bad optimiser state cannot leave new weights with
// old moments.
//
//     let metadata = try ModuleCheckpoint.load(into: model, optimizer: optimizer, from: path)
extension ModuleCheckpoint {
    /// Reads `path` and restores `model`'s parameters and `optimizer`'s state together: the parameters
    /// are validated against the model, then the state is loaded into the optimiser (which validates it
    /// first and changes nothing on error), and only then are the parameters assigned. On any error
    /// neither the model nor the optimiser changes.
    ///
    /// - Parameters:
    ///   - model: The module to restore; its parameter names, shapes and dtype (the optimiser's `Scalar`)
    ///     must match the file.
    ///   - optimizer: The optimiser to restore; the file must hold its state, written by `state()` of the
    ///     same kind of optimiser for the same parameters.
    ///   - path: The safetensors file to read.
    /// - Returns: The header's metadata.
    /// - Throws: `CheckpointError` naming the file: as `load(into:from:)` does for the parameters,
    ///   `.missingKey` when the file holds no optimiser state, `.invalidOptimizerState` when the optimiser
    ///   rejects it.
    @discardableResult
    public static func load<M: Module, O: Optimizer>(
        into model: M, optimizer: O, from path: String
    ) throws(CheckpointError) -> [String: String] where O.Scalar: SafetensorsScalar {
        try load(into: model, optimizer: optimizer, from: try SafetensorsFile(contentsOf: path))
    }

    /// Validates `file` against `model` and `optimizer`, then restores both; on any error neither changes.
    ///
    /// - Parameters:
    ///   - model: The module to restore; its parameter names, shapes and dtype must match the file.
    ///   - optimizer: The optimiser to restore from the file's `optimizer.` entries.
    ///   - file: The safetensors contents (for example read from memory); errors name `file.origin`.
    /// - Returns: The header's metadata.
    /// - Throws: `CheckpointError` naming the key, as `load(into:optimizer:from:)` with a path does.
    @discardableResult
    public static func load<M: Module, O: Optimizer>(
        into model: M, optimizer: O, from file: SafetensorsFile
    ) throws(CheckpointError) -> [String: String] where O.Scalar: SafetensorsScalar {
        let restore = try validate(file, against: model, as: O.Scalar.self)
        guard let state = restore.contents.optimizerState else {
            throw .missingKey(file: file.origin, key: optimizerPrefix + hyperparameterPrefix + "lr", available: file.keys)
        }
        do throws(OptimizerStateError) {
            try optimizer.loadState(state, for: restore.assignments.map(\.parameter))
        } catch {
            throw .invalidOptimizerState(file: file.origin, error)
        }
        restore.assign()
        return restore.contents.metadata
    }
}
