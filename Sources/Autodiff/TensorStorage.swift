import Synchronization
import Requirements

/// Bytes held by all live tensor buffers in the process; read by memory tests.
@usableFromInline let liveTensorByteCounter = Atomic<Int>(0)
/// The largest value `liveTensorByteCounter` reached since the last `TensorMemory.resetPeak()`.
@usableFromInline let peakTensorByteCounter = Atomic<Int>(0)

/// Counts `bytes` more live bytes and raises the peak when they exceed it (one relaxed load when they do not).
@inlinable
func countAllocation(bytes: Int) {
    let live = liveTensorByteCounter.add(bytes, ordering: .relaxed).newValue
    var peak = peakTensorByteCounter.load(ordering: .relaxed)
    while live > peak {
        let (exchanged, original) = peakTensorByteCounter.compareExchange(expected: peak, desired: live, ordering: .relaxed)
        if exchanged { break }
        peak = original
    }
}

/// A contiguous, heap-allocated buffer of scalars shared by tensors (copy on write).
///
/// Raw pointer storage rather than `[Scalar]`: no exclusivity checks or bounds checks in kernels,
/// and a buffer can be handed to a kernel as an `UnsafeMutableBufferPointer` directly. Buffers come
/// from, and return to, a per-thread cache (`BufferCache`). An implementation type: `package`, not public
/// API (ODENet builds tensors on its own buffers with `Tensor(shape:storage:)`).
@usableFromInline
package final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// The first scalar. The buffer is 64-byte aligned.
    @usableFromInline package let pointer: UnsafeMutablePointer<Scalar>
    /// Number of scalars.
    @usableFromInline package let count: Int

    /// Allocates an uninitialised buffer of `count` scalars.
    @inlinable
    package init(uninitializedCount count: Int) {
        require(count >= 0, "TensorStorage: negative scalar count \(count)")
        let raw = BufferCache.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
        pointer = raw.bindMemory(to: Scalar.self, capacity: Swift.max(count, 1))
        self.count = count
        countAllocation(bytes: count * MemoryLayout<Scalar>.stride)
    }

    /// Allocates a buffer filled with `value`.
    @inlinable
    package convenience init(repeating value: Scalar, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        liveTensorByteCounter.subtract(count * MemoryLayout<Scalar>.stride, ordering: .relaxed)
        BufferCache.release(UnsafeMutableRawPointer(pointer), byteCount: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
    }

    /// The scalars as a buffer.
    @inlinable
    package var buffer: UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    /// A new buffer with the same contents.
    @inlinable
    package func copy() -> TensorStorage<Scalar> {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.initialize(from: pointer, count: count)
        return result
    }
}
