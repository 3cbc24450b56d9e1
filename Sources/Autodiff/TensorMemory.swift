import Synchronization

/// Memory statistics for tests and diagnostics.
public enum TensorMemory {
    /// Bytes held by all live tensor buffers (all threads, both scalar types).
    public static var liveBytes: Int { liveTensorByteCounter.load(ordering: .relaxed) }

    /// The most bytes live tensor buffers held at once since the last ``resetPeak()`` (or the process start):
    /// the peak memory of a computation, counted by the library rather than read from the process's RSS.
    public static var peakBytes: Int { peakTensorByteCounter.load(ordering: .relaxed) }

    /// Starts a new peak measurement: ``peakBytes`` becomes the bytes live now.
    public static func resetPeak() {
        peakTensorByteCounter.store(liveTensorByteCounter.load(ordering: .relaxed), ordering: .relaxed)
    }
}
