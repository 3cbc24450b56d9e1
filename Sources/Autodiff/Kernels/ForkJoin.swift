#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Requirements
import Synchronization

/// A fork-join over chunks on the calling thread and one persistent worker thread.
///
/// `DispatchQueue.concurrentPerform` joins 40–60 µs late on Linux; this worker forks and joins in well
/// under a microsecond. While idle the worker spins briefly on an atomic (so back-to-back calls find it
/// awake), then parks on a condition variable so it never burns the other core for long.
///
/// Safe from any thread and re-entrant: a caller takes the worker only if it is free; otherwise (another
/// thread holds it, or the caller *is* the worker) all chunks run on the calling thread.
@usableFromInline
enum ForkJoin {
    /// Whether the calling thread is the worker (chunks use it to pick their per-thread scratch).
    @usableFromInline
    static var isWorkerThread: Bool { Worker.shared.isCurrentThread }

    /// Runs `body(i)` for every i in 0..<count, on the calling thread and the worker together: each takes
    /// the next index from a shared counter, so a worker that is descheduled (the machine is shared, or
    /// busy) holds back at most the one chunk it started. Returns when every chunk has finished.
    @usableFromInline
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let worker = Worker.shared
        guard count > 1, !worker.isCurrentThread, worker.owner.compareExchange(
            expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // The task, count and counter are published by the release of `claimed`, which the worker acquires.
            worker.task = body
            worker.taskCount = count
            worker.next.store(0, ordering: .relaxed)
            worker.finished.store(false, ordering: .relaxed)
            worker.claimed.store(false, ordering: .releasing)
            worker.post()
            while true {
                let i = worker.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                body(i)
            }
            if !worker.claimed.compareExchange(expected: false, desired: true,
                                               ordering: .acquiringAndReleasing).exchanged {
                var spins = 0
                while !worker.finished.load(ordering: .acquiring) {  // the worker is on its last chunk
                    spins += 1
                    if spins > 2048 { sched_yield() }
                }
            }
            worker.task = nil
        }
        worker.owner.store(false, ordering: .releasing)
    }
}

/// The persistent worker behind `ForkJoin`: a detached pthread that waits for a posted task.
final class Worker: @unchecked Sendable {
    /// The process-wide worker, started on first use.
    static let shared = Worker()

    /// The worker thread, so that a task that forks again runs serially instead of deadlocking. Written
    /// once in `init` (nil only until `pthread_create` returns), before any task can be posted.
    private var thread: pthread_t?

    /// Whether a caller currently owns the worker (one fork at a time).
    let owner = Atomic<Bool>(false)
    /// Incremented for every posted task.
    let generation = Atomic<Int>(0)
    /// The next chunk index to hand out.
    let next = Atomic<Int>(0)
    /// Number of chunks of the posted task.
    var taskCount = 0
    /// Set by the worker when it takes part in the posted task, or by the owner to keep it out.
    let claimed = Atomic<Bool>(true)
    /// Set by the worker when it has left the posted task.
    let finished = Atomic<Bool>(true)
    /// Whether the worker is (about to be) blocked on `condition`.
    let sleeping = Atomic<Bool>(false)
    /// The posted task; written by the owner before `post()`, read by the worker after it sees the post.
    var task: ((Int) -> Void)?

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    /// Iterations of spinning (tens of µs, yielding the core every 256) before the idle worker parks.
    private static let spinLimit = 50_000

    private init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        // pthread_t is an integer on Glibc but a non-null pointer on Darwin, where pthread_create writes
        // through a pointer to an optional one and passes the start routine a non-optional argument.
        #if canImport(Darwin)
        var handle: pthread_t?
        #else
        var handle = pthread_t()
        #endif
        let status = pthread_create(&handle, nil, { context in
            let argument: UnsafeMutableRawPointer? = context  // optional on Glibc, not on Darwin
            let worker = Unmanaged<Worker>.fromOpaque(argument!).takeRetainedValue()
            worker.loop()
            return nil
        }, context)
        require(status == 0, "ForkJoin: pthread_create failed with status \(status)")
        thread = handle
        if let thread { pthread_detach(thread) }
    }

    /// Whether the calling thread is this worker.
    var isCurrentThread: Bool {
        guard let thread else { return false }
        return pthread_equal(pthread_self(), thread) != 0
    }

    /// Publishes the task and wakes the worker if it is parked.
    func post() {
        generation.add(1, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(condition)
            pthread_mutex_unlock(mutex)
        }
    }

    private func loop() {
        var seen = generation.load(ordering: .acquiring)
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 255 == 0 { sched_yield() }  // let other runnable threads have this core
                if spins >= Worker.spinLimit {
                    park(seen: seen)
                    spins = 0
                }
            }
            seen = generation.load(ordering: .acquiring)
            if claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
                if let task {
                    while true {
                        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        if i >= taskCount { break }
                        task(i)
                    }
                }
                finished.store(true, ordering: .releasing)
            }
        }
    }

    /// Blocks until the generation moves past `seen` (Dekker-style handshake with `post`).
    private func park(seen: Int) {
        pthread_mutex_lock(mutex)
        sleeping.store(true, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen {
            pthread_cond_wait(condition, mutex)
        }
        sleeping.store(false, ordering: .relaxed)
        pthread_mutex_unlock(mutex)
    }
}
