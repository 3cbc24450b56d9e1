// The package's one check for errors a user can trigger (a shape mismatch, a method that does not fit a
// block, a bad argument to a layer, an op, an optimiser, a solver or a checkpoint).
//
// Why not `precondition`: in optimised (`-O`) builds `precondition` traps without printing its message,
// and the README tells everyone to build with `-c release`. `require` traps in every build mode and
// always prints its message, file and line. When the condition holds it costs what `precondition` costs:
// one test and a branch, inlined; the message is an autoclosure that is built only on failure, in a
// separate function that is never inlined.
//
// Internal invariants that no caller can break (hot-loop bookkeeping) may stay `precondition`s.

/// Stops the program with `message` when `condition` is false, in every build mode (`-Onone` and `-O`).
///
/// Use it for checks a caller of the package can fail (shapes, argument ranges, a method that does not
/// fit). `precondition` would drop `message` in optimised builds.
///
/// - Parameters:
///   - condition: The requirement; evaluated exactly once.
///   - message: What was wrong and, where it helps, what to do instead; evaluated only when
///     `condition` is false.
///   - file: The file to report; defaults to the caller's.
///   - line: The line to report; defaults to the caller's.
@inlinable @inline(__always)
package func require(_ condition: Bool, _ message: @autoclosure () -> String,
                     file: StaticString = #fileID, line: UInt = #line) {
    if !condition { requirementFailure(message(), file: file, line: line) }
}

/// Stops the program with `message`, in every build mode: the unconditional form of `require(_:_:)`,
/// for a `guard … else` or a `switch` case that a caller reached with bad input.
///
/// - Parameters:
///   - message: What was wrong and, where it helps, what to do instead; built here, out of line.
///   - file: The file to report; defaults to the caller's.
///   - line: The line to report; defaults to the caller's.
@usableFromInline @inline(never)
package func requirementFailure(_ message: @autoclosure () -> String,
                                file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
