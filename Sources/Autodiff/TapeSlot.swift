#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Requirements

/// A per-thread pointer to the tape recording operations of one scalar type.
///
/// Each thread sees only its own tape, so two threads computing gradients at the same time never
/// record into each other's tapes. The slot holds an unretained reference: the differential operator
/// that installs a tape keeps it alive and restores the previous value before it returns.
@usableFromInline
final class TapeSlot: @unchecked Sendable {
    @usableFromInline let key: pthread_key_t

    /// The slot of `Float` tensors' tapes.
    @usableFromInline static let float = TapeSlot()
    /// The slot of `Double` tensors' tapes.
    @usableFromInline static let double = TapeSlot()
    /// The slot of `Float` tensors' forward-mode tangent contexts.
    @usableFromInline static let floatTangents = TapeSlot()
    /// The slot of `Double` tensors' forward-mode tangent contexts.
    @usableFromInline static let doubleTangents = TapeSlot()

    /// Creates a new, empty slot.
    init() {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        require(status == 0, "TapeSlot: pthread_key_create failed with status \(status)")
        self.key = key
    }

    /// The raw pointer stored for the calling thread (nil when nothing records).
    @inlinable
    var rawValue: UnsafeMutableRawPointer? {
        get { pthread_getspecific(key) }
        set { pthread_setspecific(key, newValue) }
    }
}
