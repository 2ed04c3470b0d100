import Foundation
import FuzzHarness
import TestSupport
import XCTest

/// Replays every committed fuzz input (seeds and the inputs of crashes found and fixed) through its
/// harness: no fuzzing engine, just the invariants, so a fixed crash stays fixed.
final class FuzzRegressionTests: XCTestCase {
    static let corpus = Fixtures.repoRoot.appendingPathComponent("Tests/FuzzCorpus")

    func replay(_ name: String) throws {
        let harness = try Harnesses.make(name, fixtures: Fixtures.root)
        let folder = Self.corpus.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertFalse(files.isEmpty, "no inputs in \(folder.path)")
        for file in files {
            let input = [UInt8](try Data(contentsOf: folder.appendingPathComponent(file)))
            XCTAssertNoThrow(try harness.run(input), "\(name)/\(file)")
        }
    }

    func testSafeTensors() throws { try replay("safetensors") }
    func testModelConfig() throws { try replay("model-config") }
    func testTokenizerJSON() throws { try replay("tokenizer-json") }
    func testTokenizeUnigram() throws { try replay("tokenize-unigram") }
    func testTokenizeWordPiece() throws { try replay("tokenize-wordpiece") }
    func testCorpus() throws { try replay("corpus") }
    func testServerRequest() throws { try replay("server-request") }

    func testEveryHarnessHasATest() {
        XCTAssertEqual(Harnesses.names.sorted(), ["corpus", "model-config", "safetensors", "server-request", "tokenize-unigram",
                                                   "tokenize-wordpiece", "tokenizer-json"])
    }
}
