import Foundation

/// libFuzzer's entry point for programs that keep their own `main` (compiler-rt's FuzzerDriver.cpp).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Runs libFuzzer with the command line `argc`/`argv` on `testOneInput`.
///
/// SwiftPM links an executable with `main` defined as `<Module>_main`, a symbol that `-parse-as-library`
/// code does not emit; each target defines it with `@_cdecl` and hands over to libFuzzer's driver here
/// (the target also exports `LLVMFuzzerTestOneInput`, which libFuzzer's own unused `main` refers to).
/// - Parameters:
///   - argc: The argument count `main` received.
///   - argv: The arguments `main` received (libFuzzer's flags, corpus directories, crash files).
///   - testOneInput: The target: called with each input; returns 0.
/// - Returns: libFuzzer's exit status.
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}

/// The bytes of one input.
public func inputBytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    count == 0 ? [] : [UInt8](UnsafeBufferPointer(start: start, count: count))
}

/// A private directory for the files a target writes, made once per process and removed at exit.
public let scratchDirectory: String = {
    let path = NSTemporaryDirectory() + "fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "fuzz-\(getpid())") }
    return path
}()

/// Writes `bytes` to `name` in `scratchDirectory` and returns its path (plain `write`, no sync: the
/// file lives as long as one input). The previous file is unlinked rather than truncated: ext4 flushes
/// a file truncated after a write (`auto_da_alloc`), which costs milliseconds per input.
public func scratchFile(_ name: String, _ bytes: [UInt8]) -> String {
    let path = scratchDirectory + "/" + name
    unlink(path)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    precondition(descriptor >= 0, "cannot create \(path)")
    bytes.withUnsafeBytes { raw in
        var written = 0
        while written < raw.count {
            let result = write(descriptor, raw.baseAddress! + written, raw.count - written)
            precondition(result > 0, "cannot write \(path)")
            written += result
        }
    }
    close(descriptor)
    return path
}

/// Stops the run as a crash (libFuzzer saves the input) when a property of the code under test fails.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("property violated: \(message())") }
}
