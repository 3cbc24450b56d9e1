import Autodiff

/// A batch of 2-D (or 3-D) points under construction: row-major `Double` coordinates, converted to a
/// tensor once at the end so that every generator computes in `Double` whatever the scalar type.
struct ToyPoints {
    /// The coordinates, `dimension` per point, point after point.
    var coordinates: [Double]
    /// The number of coordinates of each point.
    let dimension: Int

    /// An empty batch with room for `count` points.
    init(dimension: Int, reservingCapacity count: Int) {
        self.dimension = dimension
        coordinates = []
        coordinates.reserveCapacity(dimension * count)
    }

    /// The number of points.
    var count: Int { coordinates.count / dimension }

    /// Appends one point given by its coordinates.
    mutating func append(_ point: Double...) {
        coordinates.append(contentsOf: point)
    }

    /// Puts the points in a uniformly random order (scikit-learn's and FFJORD's `shuffle`).
    /// Shuffles the points and returns the order taken: point i is the old point `order[i]`.
    @discardableResult
    mutating func shuffle(using generator: inout some RandomNumberGenerator) -> [Int] {
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var shuffled = [Double]()
        shuffled.reserveCapacity(coordinates.count)
        for row in order { shuffled.append(contentsOf: coordinates[row * dimension ..< (row + 1) * dimension]) }
        coordinates = shuffled
        return order
    }

    /// Adds independent N(0, standardDeviation²) noise to every coordinate.
    mutating func addNoise(standardDeviation: Double, using generator: inout some RandomNumberGenerator) {
        guard standardDeviation > 0 else { return }
        for index in coordinates.indices { coordinates[index] += standardDeviation * generator.sampleNormal() }
    }

    /// Maps every point through `transform`, which may change the number of coordinates.
    func mapped(dimension newDimension: Int, _ transform: (ArraySlice<Double>) -> [Double]) -> ToyPoints {
        var result = ToyPoints(dimension: newDimension, reservingCapacity: count)
        for row in 0..<count {
            result.coordinates.append(contentsOf: transform(coordinates[row * dimension ..< (row + 1) * dimension]))
        }
        return result
    }

    /// The points as a `[count, dimension]` tensor, each coordinate rounded to `Scalar`.
    func tensor<Scalar: TensorScalar>(_: Scalar.Type) -> Tensor<Scalar> {
        Tensor(shape: [count, dimension], scalars: coordinates.map { Scalar($0) })
    }
}

/// `count` angles 2πj/count, j = 0 … count − 1: NumPy's `linspace(0, 2π, count, endpoint=False)`, so that
/// the first point of a circle is not repeated as its last.
func equallySpacedAngles(_ count: Int) -> [Double] {
    (0..<count).map { 2 * Double.pi * Double($0) / Double(count) }
}
