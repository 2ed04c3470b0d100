import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Files are built in the test: a valid one, and deliberately broken ones.
final class SafeTensorsTests: XCTestCase {
    /// `u64 LE header length | header | data`, header given as raw text so it can be broken.
    func file(header: String, data: [UInt8], lengthOverride: UInt64? = nil, _ name: String = #function) throws -> URL {
        let h = Array(header.utf8)
        var out = withUnsafeBytes(of: (lengthOverride ?? UInt64(h.count)).littleEndian) { Array($0) }
        out += h + data
        let url = try Fixtures.temporaryDirectory("st").appendingPathComponent("model.safetensors")
        try Data(out).write(to: url)
        return url
    }

    func le32(_ xs: [Float]) -> [UInt8] { xs.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } } }
    func le16(_ xs: [UInt16]) -> [UInt8] { xs.flatMap { v in [UInt8(v & 0xff), UInt8(v >> 8)] } }

    func expect(_ url: URL, _ check: (SafeTensorsError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(url: url), file: file, line: line) { error in
            guard let e = error as? SafeTensorsError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(check(e), "unexpected \(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains(url.path), "message names the file: \(e)", file: file, line: line)
        }
    }

    func testReadsF32F16BF16() throws {
        // 1.5 = 0x3FC0 in bf16, 0x3E00 in f16; −2 = 0xC000 in both.
        let data = le32([1, -2.5, 3.25, 0]) + le16([0x3E00, 0xC000]) + le16([0x3FC0, 0xC000, 0x0000]) + [7]
        let header = """
        {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},\
        "h":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[20,26]},\
        "u":{"dtype":"U8","shape":[1],"data_offsets":[26,27]}}
        """
        let f = try SafeTensorsFile(url: try file(header: header, data: data))
        XCTAssertEqual(f.metadata["format"], "pt")
        XCTAssertEqual(try f.info("a").shape, [2, 2])
        XCTAssertEqual(try f.floats("a"), [1, -2.5, 3.25, 0])
        XCTAssertEqual(try f.floats("h"), [1.5, -2])
        XCTAssertEqual(try f.floats("b"), [1.5, -2, 0])
        XCTAssertEqual(try f.bits16("b"), [0x3FC0, 0xC000, 0])
        XCTAssertThrowsError(try f.floats("u")) { XCTAssertTrue("\($0)".contains("U8")) }
        XCTAssertThrowsError(try f.floats("zzz")) { error in
            XCTAssertEqual(error as? SafeTensorsError, .missingTensor(file: f.path, tensor: "zzz"))
        }
    }

    func testTruncatedFile() throws {
        let url = try file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: le32([1, 2]))
        expect(url) { if case .outOfBounds(_, "a", 0, 16, 8) = $0 { return true } else { return false } }
        let tiny = try Fixtures.temporaryDirectory("st").appendingPathComponent("x.safetensors")
        try Data([1, 2, 3]).write(to: tiny)
        expect(tiny) { if case .tooSmall = $0 { return true } else { return false } }
    }

    func testHeaderLengthOutsideFile() throws {
        let url = try file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: le32([1]),
                           lengthOverride: 1 << 40)
        expect(url) { if case .badHeaderLength = $0 { return true } else { return false } }
    }

    func testBadJSON() throws {
        expect(try file(header: #"{"a":{"dtype":"F32""#, data: [])) {
            if case .invalidJSON = $0 { return true } else { return false }
        }
        expect(try file(header: "[1, 2]", data: [])) { if case .invalidJSON = $0 { return true } else { return false } }
        expect(try file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: le32([1]))) {
            if case .invalidEntry(_, "a", _) = $0 { return true } else { return false }
        }
        expect(try file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: le32([1]))) {
            if case .invalidEntry(_, "a", _) = $0 { return true } else { return false }
        }
    }

    func testOverlappingTensors() throws {
        let h = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        expect(try file(header: h, data: le32([1, 2, 3]))) {
            if case .overlap(_, "a", "b") = $0 { return true } else { return false }
        }
    }

    func testWrongDTypeAndSize() throws {
        expect(try file(header: #"{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: le32([1]))) {
            if case .unknownDType(_, "a", "F33") = $0 { return true } else { return false }
        }
        // BF16 [4] needs 8 bytes, the span holds 16.
        expect(try file(header: #"{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,16]}}"#, data: le32([1, 2, 3, 4]))) {
            if case .sizeMismatch(_, "a", [4], "BF16", 16) = $0 { return true } else { return false }
        }
    }

    func testRealCheckpointHeader() throws {
        let f = try SafeTensorsFile(url: try Fixtures.url("jina-tiny-bf16/model.safetensors"))
        let t = try f.info("roberta.encoder.layers.0.mixer.Wqkv.parametrizations.weight.original")
        XCTAssertEqual(t.dtype, .BF16)
        XCTAssertEqual(t.shape, [192, 64])
        let first = try f.floats(t.name)  // drops the tensor's pages after copying
        XCTAssertEqual(first.count, 192 * 64)
        XCTAssertEqual(try f.floats(t.name), first, "pages are re-read from the file after release")
        XCTAssertTrue(first.contains { $0 != 0 })
    }
}
