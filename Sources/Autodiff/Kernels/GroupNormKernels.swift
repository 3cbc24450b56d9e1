import FusedMultiplyAdd

/// Group normalisation on raw buffers. The input is [N, C, S] (S: the product of the spatial extents);
/// group `g` of image `n` is the contiguous block of channels `g·C/G ..< (g+1)·C/G`, L = (C/G)·S scalars.
///
/// Sums are taken in SIMD lanes of `Scalar` over runs of at most 256 elements and the run totals added in
/// `Double`, so a Float group of any size is summed with an error of about 16 ulps of its magnitude.
extension Kernels {
    /// Σ a[i] (first) and Σ (a[i] − shift)² (second) over `count` elements, each in `Double`.
    @inlinable @inline(__always)
    static func lanedSum<S: TensorScalar>(_ a: UnsafePointer<S>, count: Int, square: Bool, shift: S) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let end = Swift.min(start + 256, count)
            var acc0 = SIMD8<S>(repeating: 0), acc1 = SIMD8<S>(repeating: 0)
            var tail: S = 0
            let shiftVector = SIMD8<S>(repeating: shift)
            var i = start
            let raw = UnsafeRawPointer(a)
            while i + 16 <= end {
                let v0 = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD8<S>.self)
                let v1 = raw.loadUnaligned(fromByteOffset: (i + 8) * MemoryLayout<S>.stride, as: SIMD8<S>.self)
                if square {
                    let d0 = v0 - shiftVector, d1 = v1 - shiftVector
                    acc0 = multiplyAdd(d0, d0, acc0)
                    acc1 = multiplyAdd(d1, d1, acc1)
                } else {
                    acc0 += v0
                    acc1 += v1
                }
                i += 16
            }
            while i < end {
                if square { let d = a[i] - shift; tail = multiplyAdd(d, d, tail) } else { tail += a[i] }
                i += 1
            }
            total += Double((acc0 + acc1).sum() + tail)
            start = end
        }
        return total
    }

    /// Scalars of a batch below which group normalisation runs on one thread.
    @usableFromInline static let groupNormThreadingScalars = 1 << 15
    /// Chunks of images a large batch is cut into (fixed, so that results do not depend on the threads).
    @usableFromInline static let groupNormChunks = 8

    /// The image ranges of the chunks for a batch of `batch` images of `imageSize` scalars.
    @inline(__always)
    static func groupNormChunking(batch: Int, imageSize: Int) -> (count: Int, perChunk: Int) {
        let count = batch * imageSize < groupNormThreadingScalars ? 1 : Swift.min(batch, groupNormChunks)
        let perChunk = (batch + count - 1) / Swift.max(count, 1)
        return ((batch + perChunk - 1) / Swift.max(perChunk, 1), perChunk)
    }

    /// The normalised output and the per-group statistics. `mean` and `inverseDeviation` receive N·G values.
    /// Large batches are cut into chunks of images shared by the calling thread and the `ForkJoin` worker.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func groupNormForward<S: TensorScalar>(
        _ x: UnsafePointer<S>, gamma: UnsafePointer<S>?, beta: UnsafePointer<S>?, _ out: UnsafeMutablePointer<S>,
        mean: UnsafeMutablePointer<S>, inverseDeviation: UnsafeMutablePointer<S>,
        batch: Int, channels: Int, spatial: Int, groups: Int, epsilon: S
    ) {
        let (chunks, perChunk) = groupNormChunking(batch: batch, imageSize: channels * spatial)
        if chunks <= 1 {
            groupNormForwardImages(x, gamma: gamma, beta: beta, out, mean: mean, inverseDeviation: inverseDeviation,
                                   images: 0..<batch, channels: channels, spatial: spatial, groups: groups,
                                   epsilon: epsilon)
            return
        }
        ForkJoin.forEach(chunks) { chunk in
            let first = chunk * perChunk
            groupNormForwardImages(x, gamma: gamma, beta: beta, out, mean: mean, inverseDeviation: inverseDeviation,
                                   images: first..<Swift.min(batch, first + perChunk), channels: channels,
                                   spatial: spatial, groups: groups, epsilon: epsilon)
        }
    }

    /// `groupNormForward` for the images `images` (pointers are to the whole batch).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline @inline(never)
    static func groupNormForwardImages<S: TensorScalar>(
        _ x: UnsafePointer<S>, gamma: UnsafePointer<S>?, beta: UnsafePointer<S>?, _ out: UnsafeMutablePointer<S>,
        mean: UnsafeMutablePointer<S>, inverseDeviation: UnsafeMutablePointer<S>,
        images: Range<Int>, channels: Int, spatial: Int, groups: Int, epsilon: S
    ) {
        let perGroup = channels / groups, length = perGroup * spatial
        for n in images {
            for g in 0..<groups {
                let index = n * groups + g
                let block = x + index * length, target = out + index * length
                let mu = lanedSum(block, count: length, square: false, shift: 0) / Double(length)
                // Second pass around the rounded mean: the variance without cancellation.
                let muS = S(mu)
                let centred = lanedSum(block, count: length, square: true, shift: muS) / Double(length)
                let residual = mu - Double(muS)
                let variance = Swift.max(centred - residual * residual, 0)
                let inverse = 1 / (variance + Double(epsilon)).squareRoot()
                mean[index] = muS
                inverseDeviation[index] = S(inverse)
                for k in 0..<perGroup {
                    let c = g * perGroup + k
                    let scale = S(inverse * Double(gamma?[c] ?? 1)), shift = beta?[c] ?? 0
                    let source = block + k * spatial, destination = target + k * spatial
                    for i in 0..<spatial { destination[i] = multiplyAdd(source[i] - muS, scale, shift) }
                }
            }
        }
    }

    /// The fused pullback. With x̂ = (x − μ)·r and ĝ = g·γ:
    /// dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per group, dγ[c] = Σ g·x̂, dβ[c] = Σ g over images and pixels.
    /// Destinations are nil when not needed; `dGamma`/`dBeta` are overwritten. Large batches run by chunks
    /// of images on both threads, each chunk summing its own dγ, dβ, added in chunk order.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func groupNormBackward<S: TensorScalar>(
        _ gradient: UnsafePointer<S>, _ x: UnsafePointer<S>, gamma: UnsafePointer<S>?,
        mean: UnsafePointer<S>, inverseDeviation: UnsafePointer<S>,
        dx: UnsafeMutablePointer<S>?, dGamma: UnsafeMutablePointer<S>?, dBeta: UnsafeMutablePointer<S>?,
        batch: Int, channels: Int, spatial: Int, groups: Int
    ) {
        let (chunks, perChunk) = groupNormChunking(batch: batch, imageSize: channels * spatial)
        // Per chunk: [Σ g·x̂ per channel, Σ g per channel].
        let gammaSums = UnsafeMutablePointer<Double>.allocate(capacity: 2 * channels * Swift.max(chunks, 1))
        defer { gammaSums.deallocate() }
        gammaSums.initialize(repeating: 0, count: 2 * channels * Swift.max(chunks, 1))
        if chunks <= 1 {
            groupNormBackwardImages(gradient, x, gamma: gamma, mean: mean, inverseDeviation: inverseDeviation, dx: dx,
                                    sums: gammaSums, images: 0..<batch, channels: channels, spatial: spatial,
                                    groups: groups)
        } else {
            ForkJoin.forEach(chunks) { chunk in
                let first = chunk * perChunk
                groupNormBackwardImages(gradient, x, gamma: gamma, mean: mean, inverseDeviation: inverseDeviation,
                                        dx: dx, sums: gammaSums + chunk * 2 * channels,
                                        images: first..<Swift.min(batch, first + perChunk), channels: channels,
                                        spatial: spatial, groups: groups)
            }
            for chunk in 1..<chunks {
                let partial = gammaSums + chunk * 2 * channels
                for c in 0..<(2 * channels) { gammaSums[c] += partial[c] }
            }
        }
        if let dGamma { for c in 0..<channels { dGamma[c] = S(gammaSums[c]) } }
        if let dBeta { for c in 0..<channels { dBeta[c] = S(gammaSums[channels + c]) } }
    }

    /// `groupNormBackward` for the images `images`, adding that chunk's Σ g·x̂ and Σ g per channel to `sums`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline @inline(never)
    static func groupNormBackwardImages<S: TensorScalar>(
        _ gradient: UnsafePointer<S>, _ x: UnsafePointer<S>, gamma: UnsafePointer<S>?,
        mean: UnsafePointer<S>, inverseDeviation: UnsafePointer<S>, dx: UnsafeMutablePointer<S>?,
        sums gammaSums: UnsafeMutablePointer<Double>, images: Range<Int>, channels: Int, spatial: Int, groups: Int
    ) {
        let perGroup = channels / groups, length = perGroup * spatial
        for n in images {
            for g in 0..<groups {
                let index = n * groups + g
                let offset = index * length
                let r = Double(inverseDeviation[index])
                var meanGradient = 0.0, meanGradientNormalised = 0.0   // L·mean(ĝ), L·mean(ĝ·x̂)
                for k in 0..<perGroup {
                    let c = g * perGroup + k
                    let (sumG, sumGCentred) = dotSums(gradient + offset + k * spatial, x + offset + k * spatial,
                                                      shift: mean[index], count: spatial)
                    let sumGXhat = r * sumGCentred
                    gammaSums[c] += sumGXhat
                    gammaSums[channels + c] += sumG
                    let gammaC = Double(gamma?[c] ?? 1)
                    meanGradient += gammaC * sumG
                    meanGradientNormalised += gammaC * sumGXhat
                }
                guard let dx else { continue }
                let a = meanGradient / Double(length), b = meanGradientNormalised / Double(length)
                // dx = g·(r·γ_c) + (x − μ)·(−r²·b) − r·a
                let xScale = S(-r * r * b), constant = S(-r * a), muS = mean[index]
                for k in 0..<perGroup {
                    let c = g * perGroup + k
                    let gScale = S(r * Double(gamma?[c] ?? 1))
                    let start = offset + k * spatial
                    let gs = gradient + start, xs = x + start, out = dx + start
                    for i in 0..<spatial { out[i] = multiplyAdd(gs[i], gScale, multiplyAdd(xs[i] - muS, xScale, constant)) }
                }
            }
        }
    }

    /// (Σ g[i], Σ g[i]·(x[i] − shift)) over `count` elements, in SIMD lanes of `S`, totals in `Double`.
    @inlinable @inline(__always)
    static func dotSums<S: TensorScalar>(_ g: UnsafePointer<S>, _ x: UnsafePointer<S>, shift: S,
                                         count: Int) -> (Double, Double) {
        let shiftVector = SIMD8<S>(repeating: shift)
        var sumG = 0.0, sumGX = 0.0
        var start = 0
        let rawG = UnsafeRawPointer(g), rawX = UnsafeRawPointer(x)
        while start < count {
            let end = Swift.min(start + 256, count)
            var accG = SIMD8<S>(repeating: 0), accGX = SIMD8<S>(repeating: 0)
            var tailG: S = 0, tailGX: S = 0
            var i = start
            while i + 8 <= end {
                let vg = rawG.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD8<S>.self)
                let vx = rawX.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD8<S>.self)
                accG += vg
                accGX = multiplyAdd(vg, vx - shiftVector, accGX)
                i += 8
            }
            while i < end { tailG += g[i]; tailGX = multiplyAdd(g[i], x[i] - shift, tailGX); i += 1 }
            sumG += Double(accG.sum() + tailG)
            sumGX += Double(accGX.sum() + tailGX)
            start = end
        }
        return (sumG, sumGX)
    }
}
