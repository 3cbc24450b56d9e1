import Synchronization

/// Memory statistics for tests and diagnostics.
public enum TensorMemory {
    /// Bytes held by all live tensor buffers (all threads, both scalar types).
    public static var liveBytes: Int { liveTensorByteCounter.load(ordering: .relaxed) }
}
