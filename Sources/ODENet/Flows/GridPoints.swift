import Autodiff
import Requirements

/// The points of a `resolution × resolution` grid over `x` × `y`, `[resolution², 2]`, row-major with y varying
/// slowest: row i·resolution + j is (x_j, y_i). The layout of the flows' `logDensityGrid`.
func gridPoints<Scalar: TensorScalar>(x: ClosedRange<Double>, y: ClosedRange<Double>, resolution: Int) -> Tensor<Scalar> {
    require(resolution >= 2, "logDensityGrid: resolution must be at least 2, got \(resolution)")
    var scalars: [Scalar] = []
    scalars.reserveCapacity(2 * resolution * resolution)
    let step = 1 / Double(resolution - 1)
    for i in 0..<resolution {
        for j in 0..<resolution {
            scalars.append(Scalar(x.lowerBound + Double(j) * step * (x.upperBound - x.lowerBound)))
            scalars.append(Scalar(y.lowerBound + Double(i) * step * (y.upperBound - y.lowerBound)))
        }
    }
    return Tensor(shape: [resolution * resolution, 2], scalars: scalars)
}
