extension Kernels {
    /// C = op(A)·op(B), or C += op(A)·op(B) when `accumulate`; row-major, with leading dimensions.
    /// op(A) is m×k (A stored k×m when `transposeA`), op(B) is k×n (B stored n×k when `transposeB`).
    ///
    /// B is packed into 32-column panels (one k-block at a time). A is read in place (with a stride
    /// when transposed), except that a tile of rows is copied k-major into a small buffer when it is an
    /// edge tile or when at least four panels reuse it. A register-blocked microkernel
    /// (`GEMMMicrokernels.swift`) computes each 8×32 (Float) or 4×32 (Double) tile of C, or a half-width
    /// tile at a narrow right edge. From 1 MFLOP (2·m·n·k) the packing and the tiles are shared, in
    /// chunks, between the calling thread and one persistent worker (`ForkJoin`). C must not overlap A or B.
    ///
    /// `packedB`, when given, is op(B) already packed by `packGEMMOperandB` (for this n, k and scalar
    /// type): several products with the same B (a convolution's chunks) then pack it once. `b` must
    /// still be given (the smallest products read it directly).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func gemm<S: TensorScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                      a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
                                      c: UnsafeMutablePointer<S>, ldc: Int, accumulate: Bool,
                                      packedB: UnsafePointer<S>? = nil) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m \(m), n \(n), k \(k)")
        precondition(ldc >= n && lda >= (transposeA ? m : k) && ldb >= (transposeB ? k : n),
                     "gemm: leading dimensions lda \(lda), ldb \(ldb), ldc \(ldc) too small for m \(m), n \(n), k \(k)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        // Small products, and narrow ones of any size (n or k below 8: a 2-feature state through a wide
        // layer, e.g. a CNF's [512, 2]·[2, 64] and [512, 64]·[64, 2]), where 32-wide tiles would mostly
        // compute padding: the direct loops vectorise along the long dimension instead.
        if 2 * m * n * k <= smallGEMMThreshold || n < 8 || k < 8 {
            smallGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda,
                      b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
            return
        }
        let arguments = GEMMArguments(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                      a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate,
                                      packedB: packedB)
        if S.self == Float.self {
            floatGEMM(unsafeBitCast(arguments, to: GEMMArguments<Float>.self))
        } else if S.self == Double.self {
            doubleGEMM(unsafeBitCast(arguments, to: GEMMArguments<Double>.self))
        } else {
            fatalError("gemm: unsupported scalar type \(S.self)")
        }
    }

    /// Kept out of line: inlined into `gemm`, the microkernel closure has been compiled with its vector
    /// loads as calls (4× slower).
    @usableFromInline @inline(never)
    static func floatGEMM(_ p: GEMMArguments<Float>) {
        blockedGEMM(p, tileRows: floatTileRows, maximumKC: floatMaximumKC, maximumNC: maximumNC) {
            kc, a, rs, cs, b, c, ldc, acc, half in
            if half {
                floatHalfTile(kc: kc, a: a, rowStride: rs, columnStride: cs, b: b, c: c, ldc: ldc, accumulate: acc)
            } else if cs == 1 {
                floatTile(kc: kc, a: a, rowStride: rs, columnStride: 1, b: b, c: c, ldc: ldc, accumulate: acc)
            } else {
                floatTile(kc: kc, a: a, rowStride: 1, columnStride: cs, b: b, c: c, ldc: ldc, accumulate: acc)
            }
        }
    }

    @usableFromInline @inline(never)
    static func doubleGEMM(_ p: GEMMArguments<Double>) {
        blockedGEMM(p, tileRows: doubleTileRows, maximumKC: doubleMaximumKC, maximumNC: maximumNC) {
            kc, a, rs, cs, b, c, ldc, acc, half in
            if half {
                doubleHalfTile(kc: kc, a: a, rowStride: rs, columnStride: cs, b: b, c: c, ldc: ldc, accumulate: acc)
            } else if cs == 1 {
                doubleTile(kc: kc, a: a, rowStride: rs, columnStride: 1, b: b, c: c, ldc: ldc, accumulate: acc)
            } else {
                doubleTile(kc: kc, a: a, rowStride: 1, columnStride: cs, b: b, c: c, ldc: ldc, accumulate: acc)
            }
        }
    }

    /// Depth of a packed B block (the k-blocks are balanced to at most this), Float and Double.
    @usableFromInline static let floatMaximumKC = 384
    @usableFromInline static let doubleMaximumKC = 256
    /// Width of a packed B block.
    @usableFromInline static let maximumNC = 512

    /// The (balanced) depth of the k-blocks for reduction length `k`.
    @inline(__always)
    static func blockDepth(k: Int, maximumKC: Int) -> Int {
        let kBlocks = (k + maximumKC - 1) / maximumKC
        return (k + kBlocks - 1) / kBlocks
    }

    /// Scalars that `packGEMMOperandB` writes for an op(B) of k × n.
    @inlinable
    static func packedOperandBCount<S: TensorScalar>(_: S.Type, n: Int, k: Int) -> Int {
        let nr = tileColumns
        return (n + nr - 1) / nr * nr * k + nr * maximumNC   // every panel padded to 32 columns, plus slack
    }

    /// Packs op(B) (k × n; B stored n × k when `transposeB`) exactly as `gemm` would, block after block,
    /// for `gemm(..., packedB:)` calls with the same n and k.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func packGEMMOperandB<S: TensorScalar>(transposeB: Bool, n: Int, k: Int, b: UnsafePointer<S>, ldb: Int,
                                                  into packed: UnsafeMutablePointer<S>) {
        let maximumKC = S.self == Float.self ? floatMaximumKC : doubleMaximumKC
        let kc = blockDepth(k: k, maximumKC: maximumKC), nr = tileColumns
        // Only B's fields are read by packB.
        let p = GEMMArguments(transposeA: false, transposeB: transposeB, m: 0, n: n, k: k, a: b, lda: 0, b: b,
                              ldb: ldb, c: packed, ldc: 0, accumulate: false, packedB: nil)
        var offset = 0, pc = 0
        while pc < k {
            let kcur = Swift.min(kc, k - pc)
            var jc = 0
            while jc < n {
                let ncur = Swift.min(maximumNC, n - jc), panels = (ncur + nr - 1) / nr
                packB(p, GEMMBlock(pc: pc, kc: kcur, jc: jc, nc: ncur, accumulate: false), panels: 0..<panels,
                      into: packed + offset)
                offset += panels * kcur * nr
                jc += ncur
            }
            pc += kcur
        }
    }

    /// Work (2·m·n·k) above which a GEMM is split over two threads.
    @usableFromInline static let gemmThreadingThreshold = 1 << 20

    /// The blocked driver: k in blocks of at most `maximumKC`, n in blocks of at most `maximumNC` (the
    /// packed B block stays in L2), then tiles of `tileRows × 32`. Edge tiles go through scratch copies
    /// (zero-padded rows of A, a C tile copied in and out) so the microkernel always sees a full tile.
    @inline(__always)
    static func blockedGEMM<S: TensorScalar>(
        _ p: GEMMArguments<S>, tileRows mr: Int, maximumKC: Int, maximumNC: Int,
        tile: (Int, UnsafePointer<S>, Int, Int, UnsafePointer<S>, UnsafeMutablePointer<S>, Int, Bool, Bool) -> Void
    ) {
        let nr = tileColumns
        let kc = blockDepth(k: p.k, maximumKC: maximumKC)  // balanced k-blocks
        let nc = Swift.min(p.n, maximumNC)
        let maxPanels = (nc + nr - 1) / nr
        let threaded = 2 * p.m * p.n * p.k >= gemmThreadingThreshold
        // One allocation: packed B, then per thread an A edge block (mr × kc) and a C edge tile (mr × nr).
        let packedCount = maxPanels * kc * nr, scratchCount = mr * kc + mr * nr
        let buffer = UnsafeMutablePointer<S>.allocate(capacity: packedCount + 2 * scratchCount)
        defer { buffer.deallocate() }
        var pc = 0, prepackedOffset = 0
        while pc < p.k {
            let kcur = Swift.min(kc, p.k - pc)
            var jc = 0
            while jc < p.n {
                let ncur = Swift.min(nc, p.n - jc)
                let panels = (ncur + nr - 1) / nr
                let block = GEMMBlock(pc: pc, kc: kcur, jc: jc, nc: ncur, accumulate: p.accumulate || pc > 0)
                let rowTiles = (p.m + mr - 1) / mr
                // With a prepacked B the block is read in place (packB is skipped below).
                let packed = p.packedB.map { UnsafeMutablePointer(mutating: $0) + prepackedOffset } ?? buffer
                prepackedOffset += panels * kcur * nr
                if threaded && rowTiles * panels >= 2 {
                    // Chunks of rows × panels taken from a shared counter by both threads (see ForkJoin):
                    // about 32 of them, whole row tiles reused across the panels of a chunk when possible.
                    let target = 32
                    let rowGroups = Swift.min(rowTiles, target)
                    let panelGroups = Swift.min(panels, (target + rowGroups - 1) / rowGroups)
                    let tilesPerGroup = (rowTiles + rowGroups - 1) / rowGroups
                    let panelsPerGroup = (panels + panelGroups - 1) / panelGroups
                    if p.packedB == nil {
                        ForkJoin.forEach(panelGroups) { group in
                            let first = group * panelsPerGroup
                            guard first < panels else { return }   // the rounded-up groups can overshoot
                            packB(p, block, panels: first..<Swift.min(panels, first + panelsPerGroup), into: buffer)
                        }
                    }
                    let scratchCount = scratchCount
                    ForkJoin.forEach(rowGroups * panelGroups) { chunk in
                        let (rowGroup, panelGroup) = chunk.quotientAndRemainder(dividingBy: panelGroups)
                        let firstRow = rowGroup * tilesPerGroup * mr, firstPanel = panelGroup * panelsPerGroup
                        guard firstRow < p.m, firstPanel < panels else { return }
                        let scratch = buffer + packedCount + (ForkJoin.isWorkerThread ? scratchCount : 0)
                        macroKernel(p, block, rows: firstRow..<Swift.min(p.m, firstRow + tilesPerGroup * mr),
                                    panels: firstPanel..<Swift.min(panels, firstPanel + panelsPerGroup),
                                    packed: packed, scratch: scratch, tileRows: mr, tile: tile)
                    }
                } else {
                    if p.packedB == nil { packB(p, block, panels: 0..<panels, into: buffer) }
                    macroKernel(p, block, rows: 0..<p.m, panels: 0..<panels, packed: packed,
                                scratch: buffer + packedCount, tileRows: mr, tile: tile)
                }
                jc += ncur
            }
            pc += kcur
        }
    }

    /// Computes C[rows, block columns of `panels`] from packed B panels.
    @inline(__always)
    static func macroKernel<S: TensorScalar>(
        _ p: GEMMArguments<S>, _ block: GEMMBlock, rows: Range<Int>, panels: Range<Int>,
        packed: UnsafeMutablePointer<S>, scratch: UnsafeMutablePointer<S>, tileRows mr: Int,
        tile: (Int, UnsafePointer<S>, Int, Int, UnsafePointer<S>, UnsafeMutablePointer<S>, Int, Bool, Bool) -> Void
    ) {
        let nr = tileColumns, kc = block.kc
        let edgeA = scratch, edgeC = scratch + mr * kc
        let rowStride = p.transposeA ? 1 : p.lda, columnStride = p.transposeA ? p.lda : 1
        var i0 = rows.lowerBound
        while i0 < rows.upperBound {
            let tileHeight = Swift.min(mr, rows.upperBound - i0)
            var a = p.a + i0 * rowStride + block.pc * columnStride
            var rs = rowStride, cs = columnStride
            if tileHeight < mr || (panels.count >= 4 && cs == 1) {
                // Copy the rows into a zero-padded kc × mr block, k-major like a transposed A: for an edge
                // tile, and where the copy is reused by enough panels (rows with a power-of-two stride
                // would otherwise compete for the same L1 sets).
                if tileHeight < mr { edgeA.update(repeating: 0, count: kc * mr) }
                for r in 0..<tileHeight {
                    var source = a + r * rowStride, destination = edgeA + r
                    for _ in 0..<kc {
                        destination.pointee = source.pointee
                        source += columnStride
                        destination += mr
                    }
                }
                a = UnsafePointer(edgeA)
                rs = 1
                cs = mr
            }
            for panel in panels {
                let j0 = block.jc + panel * nr
                let width = Swift.min(nr, p.n - j0)
                let b = UnsafePointer(packed + panel * kc * nr)
                let c = p.c + i0 * p.ldc + j0
                if tileHeight == mr && width == nr {
                    tile(kc, a, rs, cs, b, c, p.ldc, block.accumulate, false)
                } else {
                    if block.accumulate {
                        copyRows(tileHeight, width, from: c, p.ldc, to: edgeC, nr)
                    }
                    tile(kc, a, rs, cs, b, edgeC, nr, block.accumulate, width <= nr / 2)
                    copyRows(tileHeight, width, from: edgeC, nr, to: c, p.ldc)
                }
            }
            i0 += tileHeight
        }
    }

    /// Copies a rows × width block between row-major buffers with the given leading dimensions.
    @inline(__always)
    static func copyRows<S>(_ rows: Int, _ width: Int, from source: UnsafeMutablePointer<S>, _ sourceStride: Int,
                            to destination: UnsafeMutablePointer<S>, _ destinationStride: Int) {
        var source = source, destination = destination
        for _ in 0..<rows {
            for j in 0..<width { destination[j] = source[j] }
            source += sourceStride
            destination += destinationStride
        }
    }

    /// Packs op(B)[pc ..< pc+kc, columns of `panels`] as panels of kc × 32 (zero-padded past n).
    @inline(__always)
    static func packB<S: TensorScalar>(_ p: GEMMArguments<S>, _ block: GEMMBlock, panels: Range<Int>,
                                       into packed: UnsafeMutablePointer<S>) {
        let nr = tileColumns, kc = block.kc
        for panel in panels {
            let j0 = block.jc + panel * nr
            let width = Swift.min(nr, p.n - j0)
            let destination = packed + panel * kc * nr
            if width < nr { destination.update(repeating: 0, count: kc * nr) }
            if !p.transposeB {
                var source = p.b + block.pc * p.ldb + j0
                var row = destination
                for _ in 0..<kc {
                    if width == nr {
                        for j in 0..<32 { row[j] = source[j] }  // fixed count: inline vector moves
                    } else {
                        for j in 0..<width { row[j] = source[j] }
                    }
                    source += p.ldb
                    row += nr
                }
            } else {
                // B stored n × k: column j of op(B) is row j of B. Eight rows at a time, each k step
                // stored as one 8-wide vector (a plain transposing loop vectorises into slow scatters).
                var j = 0
                while j + 8 <= width {
                    let r = p.b + (j0 + j) * p.ldb + block.pc, ldb = p.ldb
                    var row = destination + j
                    for q in 0..<kc {
                        let v = SIMD8<S>(r[q], r[ldb + q], r[2 * ldb + q], r[3 * ldb + q],
                                         r[4 * ldb + q], r[5 * ldb + q], r[6 * ldb + q], r[7 * ldb + q])
                        UnsafeMutableRawPointer(row).storeBytes(of: v, as: SIMD8<S>.self)
                        row += nr
                    }
                    j += 8
                }
                if j < width {
                    var row = destination
                    for q in 0..<kc {
                        var source = p.b + (j0 + j) * p.ldb + block.pc + q
                        for jj in j..<width {
                            row[jj] = source.pointee
                            source += p.ldb
                        }
                        row += nr
                    }
                }
            }
        }
    }
}

/// The operands of one GEMM call (see `Kernels.gemm`).
@usableFromInline
struct GEMMArguments<S: TensorScalar> {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let a: UnsafePointer<S>, lda: Int
    let b: UnsafePointer<S>, ldb: Int
    let c: UnsafeMutablePointer<S>, ldc: Int
    let accumulate: Bool
    /// op(B) packed in advance by `packGEMMOperandB`, or nil to pack it block by block.
    let packedB: UnsafePointer<S>?
}

/// One k-block × n-block of a GEMM: the part of B packed at a time.
@usableFromInline
struct GEMMBlock {
    let pc: Int, kc: Int, jc: Int, nc: Int, accumulate: Bool
}

