import Datasets
import FuzzSupport

// The gzip + IDX reader on arbitrary file contents (seeds: `FuzzSeedCorpusTests` in DatasetsTests).
//
// Properties checked besides "no trap, no memory error": a file that `IDXArray(contentsOf:)` accepts
// holds exactly the elements its shape announces, and reading it from disk (header first, exact-size
// inflation) gives the same array as inflating it whole and parsing the bytes in memory.

/// At most 4 Mi elements (4 MiB): enough for the shapes a fuzzer builds, bounded memory per input.
let elementLimit = 1 << 22

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    let path = scratchFile("input", bytes)
    let fromFile = try? IDXArray(contentsOf: path, elementLimit: elementLimit)
    if let array = fromFile {
        check(array.elements.count == array.shape.reduce(1, *), "\(array.elements.count) elements for \(array.shape)")
    }
    // The same contents the other way: inflate everything (when gzip), then parse in memory.
    let contents = Gzip.hasMagic(bytes) ? try? Gzip.decompress(bytes, maximumOutputSize: elementLimit + 1024) : bytes
    let inMemory = contents.flatMap { try? IDXArray(parsing: $0, file: path, elementLimit: elementLimit) }
    check(fromFile == inMemory, "from the file: \(String(describing: fromFile?.shape)); in memory: \(String(describing: inMemory?.shape))")
    _ = try? Deflate.decompress(bytes, maximumOutputSize: 1 << 20)
    return 0
}

@_cdecl("FuzzIDX_main")
public func fuzzIDXMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, testOneInput)
}
