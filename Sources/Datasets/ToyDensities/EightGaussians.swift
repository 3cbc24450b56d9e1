/// FFJORD's `8gaussians`: a center drawn uniformly from the eight points at distance 4 from the origin at
/// angles 0, 45°, …, 315°, plus N(0, 0.5²) noise on each coordinate, the sum divided by 1.414 (FFJORD's
/// rounding of √2, kept). Each component has standard deviation 0.5/1.414 ≈ 0.354 and its center lies
/// at radius 4/1.414 ≈ 2.83.
func eightGaussiansPoints(count: Int, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    let scale = 4.0, divisor = 1.414, standardDeviation = 0.5
    let diagonal = 1 / 2.0.squareRoot()
    let centers: [(Double, Double)] = [(1, 0), (-1, 0), (0, 1), (0, -1), (diagonal, diagonal), (diagonal, -diagonal),
                                       (-diagonal, diagonal), (-diagonal, -diagonal)]
    var points = ToyPoints(dimension: 2, reservingCapacity: count)
    for _ in 0..<count {
        let x = standardDeviation * generator.sampleNormal(), y = standardDeviation * generator.sampleNormal()
        let center = centers[Int.random(in: 0..<centers.count, using: &generator)]
        points.append((x + scale * center.0) / divisor, (y + scale * center.1) / divisor)
    }
    return points
}
