extension SafetensorsFile {
    /// Reads and validates the safetensors file at `path`.
    /// - Parameter path: The file to read.
    /// - Throws: ``CheckpointError`` naming `path`: `.ioFailed` when it cannot be read, the decoding
    ///   errors of `init(decoding:origin:)` when its contents are not a valid safetensors file.
    public init(contentsOf path: String) throws(CheckpointError) {
        try self.init(decoding: try AtomicFile.read(path), origin: path)
    }

    /// Writes the encoded file to `path` atomically: a temporary file in the same directory is
    /// written and synced, then renamed into place, so a failure leaves any existing file intact.
    /// - Parameter path: The file to replace or create; its directory must exist.
    /// - Throws: `CheckpointError.ioFailed` naming the path and the operation that failed.
    public func write(to path: String) throws(CheckpointError) {
        try AtomicFile.write(encoded(), to: path)
    }
}
