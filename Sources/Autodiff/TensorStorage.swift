import Synchronization
import Requirements

/// Bytes held by all live tensor buffers in the process; read by memory tests.
@usableFromInline let liveTensorByteCounter = Atomic<Int>(0)

/// A contiguous, heap-allocated buffer of scalars shared by tensors (copy on write).
///
/// Raw pointer storage rather than `[Scalar]`: no exclusivity checks or bounds checks in kernels,
/// and a buffer can be handed to a kernel as an `UnsafeMutableBufferPointer` directly. Buffers come
/// from, and return to, a per-thread cache (`BufferCache`).
public final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// The first scalar. The buffer is 64-byte aligned.
    public let pointer: UnsafeMutablePointer<Scalar>
    /// Number of scalars.
    public let count: Int

    /// Allocates an uninitialised buffer of `count` scalars.
    @inlinable
    public init(uninitializedCount count: Int) {
        require(count >= 0, "TensorStorage: negative scalar count \(count)")
        let raw = BufferCache.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
        pointer = raw.bindMemory(to: Scalar.self, capacity: Swift.max(count, 1))
        self.count = count
        liveTensorByteCounter.add(count * MemoryLayout<Scalar>.stride, ordering: .relaxed)
    }

    /// Allocates a buffer filled with `value`.
    @inlinable
    public convenience init(repeating value: Scalar, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        liveTensorByteCounter.subtract(count * MemoryLayout<Scalar>.stride, ordering: .relaxed)
        BufferCache.release(UnsafeMutableRawPointer(pointer), byteCount: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
    }

    /// The scalars as a buffer.
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    /// A new buffer with the same contents.
    @inlinable
    public func copy() -> TensorStorage<Scalar> {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.initialize(from: pointer, count: count)
        return result
    }
}

/// Memory statistics for tests and diagnostics.
public enum TensorMemory {
    /// Bytes held by all live tensor buffers (all threads, both scalar types).
    public static var liveBytes: Int { liveTensorByteCounter.load(ordering: .relaxed) }
}
