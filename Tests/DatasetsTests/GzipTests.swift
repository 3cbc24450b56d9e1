import XCTest
import TestSupport
@testable import Datasets

final class GzipTests: XCTestCase {
    func testCRC32MatchesBitwiseDefinitionAndCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), GzipBuilder.bitwiseCRC32(Array("123456789".utf8)))
        for count in [0, 1, 7, 8, 9, 63, 1000] {
            let bytes = FixtureInputs.random(count: count, seed: UInt64(count + 1))
            XCTAssertEqual(CRC32.checksum(bytes), GzipBuilder.bitwiseCRC32(bytes), "count \(count)")
        }
    }

    func testDecompressesDynamicBlocksAtEveryLevel() throws {
        let plain = FixtureInputs.text(lines: 6000)
        for fixture in [GzipFixtures.textLevel1, GzipFixtures.textLevel6, GzipFixtures.textLevel9] {
            let member = FixtureInputs.decode(fixture)
            XCTAssertEqual(member[10] >> 1 & 3, 2, "first block should be dynamic")
            XCTAssertEqual(try Gzip.decompress(member), plain)
        }
    }

    func testDecompressesStoredBlocks() throws {
        let member = FixtureInputs.decode(GzipFixtures.randomStored)
        XCTAssertEqual(member[10] >> 1 & 3, 0, "first block should be stored")
        XCTAssertEqual(try Gzip.decompress(member), FixtureInputs.random(count: 70000, seed: 7))
    }

    func testDecompressesFixedHuffmanBlock() throws {
        let member = FixtureInputs.decode(GzipFixtures.smallFixed)
        XCTAssertEqual(member[10] >> 1 & 3, 1, "first block should use fixed codes")
        XCTAssertEqual(try Gzip.decompress(member), Array("hello hello hello, neural ode\n".utf8))
    }

    func testConcatenatedMembersDecodeToConcatenation() throws {
        let expected = FixtureInputs.text(lines: 50) + FixtureInputs.random(count: 300, seed: 3)
        XCTAssertEqual(try Gzip.decompress(FixtureInputs.decode(GzipFixtures.multiMember)), expected)
        XCTAssertEqual(try Gzip.decompress(FixtureInputs.decode(GzipFixtures.empty)), [])
    }

    func testOptionalHeaderFieldsAreSkippedAndHeaderCRCChecked() throws {
        let level6 = FixtureInputs.decode(GzipFixtures.textLevel6)
        let plain = FixtureInputs.text(lines: 6000)
        var header = GzipBuilder.header(flags: 0b0001_1110)  // FHCRC, FEXTRA, FNAME, FCOMMENT
        header += [3, 0, 0xAA, 0xBB, 0xCC] + Array("name.txt".utf8) + [0] + Array("a comment".utf8) + [0]
        let headerCRC = GzipBuilder.bitwiseCRC32(header) & 0xFFFF
        let member = header + [UInt8(headerCRC & 0xFF), UInt8(headerCRC >> 8)]
            + GzipBuilder.deflatePayload(ofMember: level6) + GzipBuilder.trailer(for: plain)
        XCTAssertEqual(try Gzip.decompress(member), plain)

        var badHeaderCRC = member
        badHeaderCRC[header.count] ^= 1
        assertThrows(badHeaderCRC) { if case .crcMismatch(0, let part, _, _) = $0 { part.hasPrefix("header") } else { false } }
    }

    func testRawDeflateMatchesGzipPayload() throws {
        let level9 = FixtureInputs.decode(GzipFixtures.textLevel9)
        XCTAssertEqual(try Deflate.decompress(GzipBuilder.deflatePayload(ofMember: level9)),
                       FixtureInputs.text(lines: 6000))
    }

    func testEveryTruncationIsReportedAsTruncated() {
        let fixtures = [GzipFixtures.smallFixed, GzipFixtures.textLevel6,
                        GzipFixtures.randomStored]
        for fixture in fixtures {
            let member = FixtureInputs.decode(fixture)
            let cuts = member.count < 1000 ? Array(0..<member.count)
                : Array(0..<40) + stride(from: 40, to: member.count, by: 97) + [member.count - 1]
            for cut in cuts {
                let prefix = Array(member[0..<cut])
                assertThrows(prefix, "cut at \(cut) of \(member.count)") {
                    if case .truncatedInput = $0 { true } else if case .notGzip = $0 { cut < 2 } else { false }
                }
            }
        }
    }

    func testCutAtMemberBoundaryDecodesTheWholeMembersOnly() throws {
        let members = FixtureInputs.decode(GzipFixtures.multiMember)
        let first = FixtureInputs.decode(GzipFixtures.multiMember)[0..<findSecondMember(members)]
        XCTAssertEqual(try Gzip.decompress(Array(first)), FixtureInputs.text(lines: 50))
        for cut in first.count + 1..<first.count + 30 {
            assertThrows(Array(members[0..<cut]), "cut at \(cut)") {
                if case .truncatedInput = $0 { true } else { false }
            }
        }
    }

    /// Offset of the second member: the first member's trailer ISIZE is the 50-line text size, so
    /// search for the member start whose preceding 4 bytes spell that size.
    private func findSecondMember(_ bytes: [UInt8]) -> Int {
        let size = GzipBuilder.littleEndian(UInt32(FixtureInputs.text(lines: 50).count))
        for offset in 18..<bytes.count - 1 where bytes[offset] == 0x1F && bytes[offset + 1] == 0x8B
            && Array(bytes[(offset - 4)..<offset]) == size {
            return offset
        }
        preconditionFailure("no second member")
    }

    func testTrailerCorruptionIsDetected() {
        let member = FixtureInputs.decode(GzipFixtures.textLevel1)
        var badCRC = member
        badCRC[member.count - 6] ^= 0x10
        assertThrows(badCRC) { if case .crcMismatch(0, "data", _, _) = $0 { true } else { false } }
        var badSize = member
        badSize[member.count - 2] ^= 0x01
        assertThrows(badSize) { if case .lengthMismatch = $0 { true } else { false } }
        assertThrows(member + [0, 0, 0]) { if case .trailingGarbage(member.count, 3) = $0 { true } else { false } }
    }

    func testOutputLimitStopsDecompressionBombs() throws {
        let member = FixtureInputs.decode(GzipFixtures.textLevel9)
        let size = FixtureInputs.text(lines: 6000).count
        XCTAssertEqual(try Gzip.decompress(member, maximumOutputSize: size).count, size)
        for limit in [0, 1000, size - 1] {
            XCTAssertThrowsError(try Gzip.decompress(member, maximumOutputSize: limit)) {
                XCTAssertEqual($0 as? GzipError, .outputTooLarge(limit: limit))
            }
        }
        let stored = FixtureInputs.decode(GzipFixtures.randomStored)
        XCTAssertThrowsError(try Gzip.decompress(stored, maximumOutputSize: 65_000)) {
            XCTAssertEqual($0 as? GzipError, .outputTooLarge(limit: 65_000))
        }
    }

    /// Issue 14, item 6: `Deflate.decompress` had no limit, and `Gzip.decompress`'s grew its buffer
    /// past the limit before checking it. Both stop at the limit now, having allocated about that much.
    func testLimitsStopInflationWithoutAllocatingPastThem() throws {
        let member = GzipBomb.member(prefix: [1, 2, 3], totalSize: 64 << 20)
        let payload = GzipBuilder.deflatePayload(ofMember: member)
        let limit = 1 << 20
        for (name, decode) in [("gzip", { () throws(GzipError) in _ = try Gzip.decompress(member, maximumOutputSize: limit) }),
                               ("deflate", { () throws(GzipError) in _ = try Deflate.decompress(payload, maximumOutputSize: limit) })] {
            let (error, peak) = PeakMemory.measure { () -> GzipError? in
                do throws(GzipError) { try decode() } catch { return error }
                return nil
            }
            XCTAssertEqual(error, .outputTooLarge(limit: limit), name)
            if let peak { XCTAssertLessThan(peak, 8 * limit, "\(name): peak memory grew by \(peak) bytes") }
        }
    }

    /// A stored block that crosses the limit is copied up to it before decoding stops, so a caller that
    /// reads only the first bytes (an IDX header) gets them from stored blocks too.
    func testPrefixOfStoredBlocksIsAvailable() throws {
        let stored = FixtureInputs.decode(GzipFixtures.randomStored)
        let whole = try Gzip.decompress(stored)
        let prefix = try stored.withUnsafeBufferPointer { buffer in try Gzip.inflatePrefix(buffer, count: 100) }
        XCTAssertFalse(prefix.isComplete)
        XCTAssertEqual(prefix.bytes, Array(whole.prefix(100)))
        let all = try stored.withUnsafeBufferPointer { buffer in try Gzip.inflatePrefix(buffer, count: whole.count) }
        XCTAssertTrue(all.isComplete)
        XCTAssertEqual(all.bytes, whole)
    }

    func testHeaderCorruptionIsDetected() {
        let member = FixtureInputs.decode(GzipFixtures.smallFixed)
        var badMagic = member
        badMagic[1] = 0x8C
        assertThrows(badMagic) { if case .notGzip(0, [0x1F, 0x8C]) = $0 { true } else { false } }
        var badMethod = member
        badMethod[2] = 7
        assertThrows(badMethod) { if case .unsupportedMethod(2, 7) = $0 { true } else { false } }
        var reserved = member
        reserved[3] = 0x80
        assertThrows(reserved) { if case .reservedFlagsSet = $0 { true } else { false } }
    }

    func testInvalidBlockTypeIsRejected() {
        let member = GzipBuilder.header() + [0b0000_0111, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        assertThrows(member) { if case .invalidBlockType(_, 3) = $0 { true } else { false } }
    }

    func testStoredLengthComplementIsChecked() {
        let member = GzipBuilder.header() + [1, 5, 0, 0xFA, 0xFE] + Array("hello".utf8) + GzipBuilder.trailer(for: [])
        assertThrows(member) { if case .invalidStoredLength(_, 5, 0xFEFA) = $0 { true } else { false } }
    }

    func testDistanceBeforeStartOfOutputIsRejected() {
        var bits = BitWriter()
        bits.write(1, bits: 1)        // BFINAL
        bits.write(1, bits: 2)        // fixed Huffman
        bits.writeCode(1, bits: 7)    // symbol 257: length 3
        bits.writeCode(0, bits: 5)    // distance code 0: distance 1, but nothing was output yet
        bits.writeCode(0, bits: 7)    // end of block
        let member = GzipBuilder.header() + bits.bytes + GzipBuilder.trailer(for: [])
        assertThrows(member) { if case .distanceTooFarBack(_, 1, 0) = $0 { true } else { false } }
    }

    func testOverSubscribedCodeLengthsAreRejected() {
        var bits = BitWriter()
        bits.write(1, bits: 1)
        bits.write(2, bits: 2)        // dynamic
        bits.write(0, bits: 5)        // 257 literal/length codes
        bits.write(0, bits: 5)        // 1 distance code
        bits.write(15, bits: 4)       // 19 code-length codes ...
        for _ in 0..<19 { bits.write(1, bits: 3) }  // ... all of length 1: over-subscribed
        let member = GzipBuilder.header() + bits.bytes + [UInt8](repeating: 0, count: 16)
        assertThrows(member) { if case .invalidHuffmanCode = $0 { true } else { false } }
    }

    func testCorruptedCompressedDataNeverDecodesSilently() {
        let member = FixtureInputs.decode(GzipFixtures.textLevel6)
        let positions = FixtureInputs.random(count: 300, seed: 11)
        for (index, value) in positions.enumerated() {
            var corrupted = member
            let position = 10 + (index * 7919 + Int(value)) % (member.count - 18)
            corrupted[position] ^= value | 1
            assertThrows(corrupted, "flip at \(position)") { _ in true }
        }
    }

    private func assertThrows(_ bytes: [UInt8], _ message: String = "",
                              file: StaticString = #filePath, line: UInt = #line,
                              matching predicate: (GzipError) -> Bool) {
        do {
            let output = try Gzip.decompress(bytes)
            XCTFail("decoded \(output.count) bytes, expected an error. \(message)", file: file, line: line)
        } catch {
            XCTAssertTrue(predicate(error), "unexpected error: \(error). \(message)", file: file, line: line)
        }
    }
}
