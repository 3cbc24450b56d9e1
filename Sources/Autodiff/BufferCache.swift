#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Requirements

/// A per-thread cache of released tensor buffers, so that the same shapes allocated again and again
/// (every evaluation of a Neural ODE's vector field and of its pullback) reuse memory instead of
/// going through the C allocator, whose aligned allocations and free-list consolidation cost more
/// than the arithmetic of small tensors.
///
/// Buffers are grouped by byte count (a multiple of 64) into a fixed number of slots; a slot holds
/// buffers of one size at a time. Only buffers up to `largestCachedBytes` are kept, at most
/// `buffersPerSlot` per slot and `capacityBytes` in all, so a thread holds a bounded amount of idle
/// memory. A buffer released on another thread goes to that thread's cache. The memory is returned to
/// the system when the thread exits.
@usableFromInline
enum BufferCache {
    /// Buffers larger than this are allocated and freed directly.
    static let largestCachedBytes = 1 << 20
    /// Idle bytes one thread may keep.
    static let capacityBytes = 4 << 20
    static let slotCount = 128
    static let buffersPerSlot = 8

    /// One thread's cache: per slot, the byte size held and a stack of buffers, in raw memory (no
    /// array exclusivity checks on this hot path).
    final class Store {
        /// sizes[slot], then counts[slot], then the idle byte total.
        let numbers: UnsafeMutablePointer<Int>
        /// buffersPerSlot entries per slot.
        let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer?>

        init() {
            numbers = .allocate(capacity: 2 * BufferCache.slotCount + 1)
            numbers.initialize(repeating: 0, count: 2 * BufferCache.slotCount + 1)
            buffers = .allocate(capacity: BufferCache.slotCount * BufferCache.buffersPerSlot)
            buffers.initialize(repeating: nil, count: BufferCache.slotCount * BufferCache.buffersPerSlot)
        }

        deinit {
            for i in 0..<BufferCache.slotCount * BufferCache.buffersPerSlot { buffers[i]?.deallocate() }
            buffers.deallocate()
            numbers.deallocate()
        }
    }

    /// The calling thread's store, created on first use and released when the thread exits.
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            #if canImport(Darwin)
            Unmanaged<Store>.fromOpaque(raw).release()
            #else
            if let raw { Unmanaged<Store>.fromOpaque(raw).release() }
            #endif
        }
        require(status == 0, "BufferCache: pthread_key_create failed with status \(status)")
        return key
    }()

    @inline(__always)
    static var store: Store {
        if let raw = pthread_getspecific(key) { return Unmanaged<Store>.fromOpaque(raw).takeUnretainedValue() }
        let store = Store()
        pthread_setspecific(key, Unmanaged.passRetained(store).toOpaque())
        return store
    }

    /// The slot of a rounded size: a multiplicative hash of size / 64, so that the common power-of-two
    /// sizes spread over the slots instead of sharing one.
    @inline(__always)
    static func slot(ofSize size: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: size >> 6) &* 0x9E37_79B9_7F4A_7C15) >> 57)
    }

    /// `bytes` rounded up to a multiple of 64 (at least 64).
    @inline(__always)
    static func roundedSize(_ bytes: Int) -> Int { Swift.max((bytes + 63) & ~63, 64) }

    /// A 64-byte aligned buffer of at least `bytes` bytes: a cached one of the same rounded size, or a
    /// new allocation.
    @usableFromInline
    static func allocate(byteCount bytes: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(bytes)
        if size <= largestCachedBytes {
            let store = self.store
            let slot = slot(ofSize: size)
            let sizes = store.numbers, counts = store.numbers + slotCount, total = store.numbers + 2 * slotCount
            let count = counts[slot]
            if count > 0 && sizes[slot] == size {
                let index = slot * buffersPerSlot + count - 1
                let pointer = store.buffers[index].unsafelyUnwrapped
                store.buffers[index] = nil
                counts[slot] = count - 1
                total.pointee -= size
                return pointer
            }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Frees every idle buffer of the calling thread's cache (tests start from an empty cache with it).
    static func removeAllIdleBuffers() {
        let store = self.store
        for i in 0..<slotCount * buffersPerSlot {
            store.buffers[i]?.deallocate()
            store.buffers[i] = nil
        }
        store.numbers.update(repeating: 0, count: 2 * slotCount + 1)
    }

    /// Takes back a buffer from `allocate(byteCount:)` with the same `bytes`: keeps it for reuse when
    /// there is room, frees it otherwise.
    @usableFromInline
    static func release(_ pointer: UnsafeMutableRawPointer, byteCount bytes: Int) {
        let size = roundedSize(bytes)
        if size <= largestCachedBytes {
            let store = self.store
            let slot = slot(ofSize: size)
            let sizes = store.numbers, counts = store.numbers + slotCount, total = store.numbers + 2 * slotCount
            let count = counts[slot]
            if count < buffersPerSlot && (count == 0 || sizes[slot] == size) && total.pointee + size <= capacityBytes {
                sizes[slot] = size
                store.buffers[slot * buffersPerSlot + count] = pointer
                counts[slot] = count + 1
                total.pointee += size
                return
            }
        }
        pointer.deallocate()
    }
}
