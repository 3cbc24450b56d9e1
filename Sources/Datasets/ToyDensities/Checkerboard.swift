/// FFJORD's `checkerboard`: x₁ uniform on [−2, 2); x₂ uniform on [0, 1) or, with probability 1/2, on
/// [−2, −1); then x₂ is raised by 1 when ⌊x₁⌋ is odd; the point (x₁, x₂) is scaled by 2. The result is
/// uniform on the eight 2×2 squares [2i, 2i + 2) × [2j, 2j + 2) with i, j ∈ {−2, −1, 0, 1} and i + j
/// even: the black squares of a 4×4 board on [−4, 4)².
func checkerboardPoints(count: Int, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    var points = ToyPoints(dimension: 2, reservingCapacity: count)
    for _ in 0..<count {
        let x1 = 4 * generator.sampleUniform() - 2
        let lowerHalf = Bool.random(using: &generator)
        let column = Int(x1.rounded(.down))                 // ⌊x₁⌋ ∈ {−2, −1, 0, 1}
        let shift = column & 1 == 0 ? 0.0 : 1.0             // ⌊x₁⌋ mod 2, non-negative as in Python
        let x2 = generator.sampleUniform() - (lowerHalf ? 2 : 0) + shift
        points.append(2 * x1, 2 * x2)
    }
    return points
}
