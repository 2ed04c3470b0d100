import Foundation
import JinaEmbeddings
import SafeTensors
import TestSupport
import XCTest

/// Damaged copies of jina-tiny: each must fail with a clear error (never a crash).
final class BadCheckpointTests: XCTestCase {
    /// Copies jina-tiny into a temporary folder; returns it and its model.safetensors URL.
    func copyTiny() throws -> (URL, URL) {
        let src = try Fixtures.url("jina-tiny")
        let dir = try Fixtures.temporaryDirectory("bad-ckpt")
        for f in ["config.json", "model.safetensors", "modules.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        return (dir, dir.appendingPathComponent("model.safetensors"))
    }

    /// Rewrites the file with `edit` applied to its (name, dtype, shape, bytes) list.
    func rewrite(_ url: URL, _ edit: (inout [(String, String, [Int], [UInt8])]) -> Void) throws {
        let f = try SafeTensorsFile(url: url)
        var list = try f.tensors.keys.sorted().map { n -> (String, String, [Int], [UInt8]) in
            let t = try f.info(n)
            return (n, t.dtype.rawValue, t.shape, Array(try f.rawBytes(n)))
        }
        edit(&list)
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data: [UInt8] = [], off = 0
        for (n, d, s, b) in list {
            header[n] = ["dtype": d, "shape": s, "data_offsets": [off, off + b.count]]
            data += b; off += b.count
        }
        let h = try JSONSerialization.data(withJSONObject: header)
        var out = withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) }
        out += Array(h) + data
        try Data(out).write(to: url)
    }

    func assertLoadFails(_ dir: URL, contains needles: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try EmbeddingModel.load(directory: dir), file: file, line: line) { error in
            for n in needles { XCTAssertTrue("\(error)".contains(n), "'\(error)' should mention \(n)", file: file, line: line) }
        }
    }

    func testABrokenTokenizerFailsTheLoadAndNamesTheFile() throws {
        let (dir, _) = try copyTiny()
        try Data(#"{"model": {"type": "Unigram", "vocab": 7}}"#.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        assertLoadFails(dir, contains: ["tokenizer.json", "download"])
    }

    func testTruncatedFile() throws {
        let (dir, st) = try copyTiny()
        let data = try Data(contentsOf: st)
        try data.prefix(data.count - 1000).write(to: st)
        assertLoadFails(dir, contains: ["model.safetensors", "truncated"])
    }

    func testHeaderPointingOutsideTheFile() throws {
        let (dir, st) = try copyTiny()
        var data = [UInt8](try Data(contentsOf: st))
        let huge = UInt64(data.count) * 4
        for i in 0..<8 { data[i] = UInt8(truncatingIfNeeded: huge >> (8 * UInt64(i))) }
        try Data(data).write(to: st)
        assertLoadFails(dir, contains: ["header length"])
    }

    func testMissingTensor() throws {
        let (dir, st) = try copyTiny()
        try rewrite(st) { list in list.removeAll { $0.0 == "roberta.encoder.layers.1.mlp.fc1.bias" } }
        assertLoadFails(dir, contains: ["roberta.encoder.layers.1.mlp.fc1.bias", "missing"])
    }

    func testWrongShape() throws {
        let (dir, st) = try copyTiny()
        try rewrite(st) { list in
            if let i = list.firstIndex(where: { $0.0 == "roberta.encoder.layers.0.mixer.out_proj.parametrizations.weight.original" }) {
                list[i].2 = [32, 128]  // same byte count, wrong shape
            }
        }
        assertLoadFails(dir, contains: ["out_proj", "[32, 128]", "[64, 64]"])
    }

    func testUnknownDType() throws {
        let (dir, st) = try copyTiny()
        try rewrite(st) { list in
            if let i = list.firstIndex(where: { $0.0 == "roberta.emb_ln.bias" }) { list[i].1 = "Q7" }
        }
        assertLoadFails(dir, contains: ["roberta.emb_ln.bias", "Q7"])
    }

    func testIntegerWeightsAreRefused() throws {
        let (dir, st) = try copyTiny()
        try rewrite(st) { list in
            if let i = list.firstIndex(where: { $0.0 == "roberta.emb_ln.bias" }) { list[i].1 = "I32" }
        }
        assertLoadFails(dir, contains: ["roberta.emb_ln.bias", "I32"])
    }

    func testMissingFolderAndConfig() throws {
        assertLoadFails(URL(fileURLWithPath: "/nonexistent/model"), contains: ["/nonexistent/model"])
        let (dir, _) = try copyTiny()
        try Data("{\"hidden_size\": 64}".utf8).write(to: dir.appendingPathComponent("config.json"))
        assertLoadFails(dir, contains: ["config.json", "num_hidden_layers"])
    }
}

extension BadCheckpointTests {
    /// Found by the model-config fuzz harness: a Matryoshka size of 0 loaded, and truncating to it trapped.
    func testMatryoshkaSizesOutsideTheModelAreRefused() throws {
        let (dir, _) = try copyTiny()
        let url = dir.appendingPathComponent("config.json")
        let original = try String(contentsOf: url, encoding: .utf8)
        for bad in ["[0, 16, 32, 64]", "[8, 128]", "[8, \"x\"]", "[1e300]"] {
            let edited = original.replacingOccurrences(of: "\"matryoshka_dimensions\": [\n    8,\n    16,\n    32,\n    64\n  ]",
                                                       with: "\"matryoshka_dimensions\": \(bad)")
            XCTAssertNotEqual(edited, original)
            try edited.write(to: url, atomically: true, encoding: .utf8)
            assertLoadFails(dir, contains: ["config.json", "matryoshka_dimensions"])
        }
        try original.replacingOccurrences(of: "\"hidden_size\": 64", with: "\"hidden_size\": 1e300").write(to: url, atomically: true, encoding: .utf8)
        assertLoadFails(dir, contains: ["hidden_size"])
    }
}
