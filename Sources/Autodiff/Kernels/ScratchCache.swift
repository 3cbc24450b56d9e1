import Synchronization

/// A process-wide cache of one scratch allocation, for kernels that need megabytes of temporary memory
/// on every call (the convolution's column blocks).
///
/// glibc serves blocks of that size with fresh `mmap`s, so a buffer allocated and freed on every call
/// is page-faulted in (and zeroed by the kernel) every time. The cache keeps the most recent buffer
/// (the larger one when two are returned) for the next caller. Lock-free and safe from any thread: a
/// caller takes the buffer with an atomic exchange, and a concurrent caller that finds the slot empty
/// simply allocates its own.
@usableFromInline
enum ScratchCache {
    /// The cached block's address (0 when empty). Its first `headerBytes` hold its usable byte count.
    private static let slot = Atomic<Int>(0)
    /// Bytes in front of the usable part (keeps it 64-byte aligned).
    private static let headerBytes = 64

    /// A buffer of at least `count` scalars of `S`, 64-byte aligned; give it back with `recycle`.
    @usableFromInline
    static func take<S>(_: S.Type, count: Int) -> UnsafeMutablePointer<S> {
        let bytes = Swift.max(count, 1) * MemoryLayout<S>.stride
        let cached = slot.exchange(0, ordering: .acquiring)
        if let block = UnsafeMutableRawPointer(bitPattern: cached) {
            if block.load(as: Int.self) >= bytes {
                return (block + headerBytes).bindMemory(to: S.self, capacity: count)
            }
            block.deallocate()
        }
        let block = UnsafeMutableRawPointer.allocate(byteCount: bytes + headerBytes, alignment: 64)
        block.storeBytes(of: bytes, as: Int.self)
        return (block + headerBytes).bindMemory(to: S.self, capacity: count)
    }

    /// Returns a buffer obtained from `take` to the cache (freeing the smaller one if the slot is taken).
    @usableFromInline
    static func recycle<S>(_ buffer: UnsafeMutablePointer<S>) {
        var block = UnsafeMutableRawPointer(buffer) - headerBytes
        while true {
            let previous = slot.exchange(Int(bitPattern: block), ordering: .acquiringAndReleasing)
            guard let other = UnsafeMutableRawPointer(bitPattern: previous) else { return }
            if other.load(as: Int.self) <= block.load(as: Int.self) {
                other.deallocate()
                return
            }
            // The other block is larger: keep it instead, and free ours (unless the slot filled again).
            block = other
        }
    }
}
