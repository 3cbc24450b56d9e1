import Foundation

/// The peak resident memory of this process while a piece of code runs (Linux only).
///
/// Linux keeps the high-water mark of the resident set (`VmHWM` in `/proc/self/status`) and lets a
/// process reset it to the current size by writing `5` to `/proc/self/clear_refs`. Measuring resets
/// the mark, runs the code, and reads the mark again: the growth is the extra memory the code needed
/// at its peak (pages it touched, wherever they were allocated).
public enum PeakMemory {
    /// Runs `body` and returns its result with the growth of the peak resident set, in bytes; nil when
    /// the platform cannot measure it (not Linux, or `/proc` refuses the reset).
    /// - Parameter body: The code to measure.
    /// - Returns: The value of `body` and the peak growth.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (value: T, peakGrowth: Int?) {
        guard let baseline = resetHighWaterMark() else { return (try body(), nil) }
        let value = try body()
        return (value, statusField("VmHWM").map { max(0, $0 - baseline) })
    }

    /// Resets the high-water mark and returns the current resident size, in bytes.
    private static func resetHighWaterMark() -> Int? {
        #if os(Linux)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return nil }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return nil }
        return statusField("VmRSS")
        #else
        return nil
        #endif
    }

    /// A `kB` field of `/proc/self/status`, in bytes.
    private static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.dropFirst(name.count + 1).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }
}
