import Autodiff

/// `count` distinct integers from 0..<range in random order (numpy's `choice(range, count, replace=False)`
/// in distribution, not in values): a partial Fisher–Yates shuffle.
public func drawWithoutReplacement(_ count: Int, from range: Int, using generator: inout SeededGenerator) -> [Int] {
    precondition(count <= range, "cannot draw \(count) distinct values from 0..<\(range)")
    var pool = Array(0..<range)
    for i in 0..<count {
        let j = Int.random(in: i..<range, using: &generator)
        pool.swapAt(i, j)
    }
    return Array(pool[0..<count])
}
