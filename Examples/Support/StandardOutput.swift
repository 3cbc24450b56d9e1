// `@preconcurrency`: the C library's `stdout` is a mutable global, which Swift 6 refuses to read unless
// the module that declares it is imported as predating concurrency checking. These functions only read the
// pointer, which the C library never changes, and the stream itself is locked by the C library.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The process's standard output stream (the C library's `stdout`, which `print` writes to).
public enum StandardOutput {
    /// Makes standard output line-buffered, so that result lines reach a log file or a pipe as they are
    /// printed rather than when the buffer fills.
    public static func useLineBuffering() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }

    /// Writes out whatever standard output holds in its buffer.
    public static func flush() {
        fflush(stdout)
    }
}
