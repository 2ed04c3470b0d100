import Foundation
@testable import JinaEmbeddings
import TestSupport
import Tokenizers
import XCTest

/// Late chunking on hand-made encodings (the tokenizer is tested in its own module).
final class LateChunkingTests: XCTestCase {
    /// jina-tiny's weights behind a small maximum length, to force windows.
    func model(maxLength: Int) throws -> EmbeddingModel {
        let m = try EmbeddingModel.load(directory: try Fixtures.url("jina-tiny"))
        return EmbeddingModel(name: "tiny", config: m.config, tokenizer: nil, fingerprint: "x", maxLength: maxLength,
                              weights: m.weights)
    }

    /// `<s>` + n one-character tokens (token i covers scalars i..<i+1) + `</s>`.
    func encoding(_ n: Int) -> Encoding {
        let ids: [Int32] = [0] + (0..<n).map { Int32(10 + $0 * 7 % 900) } + [2]
        let offsets = [0..<0] + (0..<n).map { $0..<($0 + 1) } + [0..<0]
        return Encoding(ids: ids, tokens: ids.map { "\($0)" }, offsets: offsets, byteOffsets: offsets,
                        specialTokensMask: [1] + Array(repeating: 0, count: n) + [1],
                        attentionMask: Array(repeating: 1, count: n + 2))
    }

    func testShortDocumentChunksPoolTheirTokens() throws {
        let m = try model(maxLength: 64)
        let enc = encoding(10)
        let D = m.hiddenSize
        let states = try m.tokenStates(ids: enc.ids, task: "retrieval.passage")
        let got = try m.chunkVectors(enc, textStart: 0, chunks: [0..<4, 4..<10], adapter: 1, shouldCancel: nil)
        for (chunk, span) in zip(got, [0..<4, 4..<10]) {
            var want = [Float](repeating: 0, count: D)
            for t in span { for j in 0..<D { want[j] += states[(t + 1) * D + j] / Float(span.count) } }
            XCTAssertLessThanOrEqual(maxAbsDiff(chunk, EmbeddingModel.truncate(want, to: D)), 1e-5)
        }
    }

    func testLongDocumentRunsInFramedWindows() throws {
        let m = try model(maxLength: 16)  // 14 content tokens per window
        let enc = encoding(30)
        let D = m.hiddenSize
        let states = try m.windowedStates(enc, adapter: nil, shouldCancel: nil)
        // The second window is tokens 15...28 (content 14..<28), framed by <s> … </s>.
        let window = [Int32(0)] + Array(enc.ids[15..<29]) + [2]
        let alone = try m.tokenStates(ids: window, task: nil)
        XCTAssertLessThanOrEqual(maxAbsDiff(Array(states[(15 * D)..<(29 * D)]), Array(alone[D..<(15 * D)])), 1e-5)
        // A chunk inside one window equals pooling that window's states.
        let v = try m.chunkVectors(enc, textStart: 0, chunks: [16..<20], adapter: nil, shouldCancel: nil)[0]
        var want = [Float](repeating: 0, count: D)
        for t in 17..<21 { for j in 0..<D { want[j] += states[t * D + j] } }
        XCTAssertLessThanOrEqual(maxAbsDiff(v, EmbeddingModel.truncate(want, to: D)), 1e-5)
    }

    func testPrefixTokensAreNotPooled() throws {
        let m = try model(maxLength: 64)
        let enc = encoding(8)  // pretend scalars 0..<3 are the prefix
        let a = try m.chunkVectors(enc, textStart: 3, chunks: [0..<2], adapter: 0, shouldCancel: nil)[0]
        let b = try m.chunkVectors(enc, textStart: 0, chunks: [3..<5], adapter: 0, shouldCancel: nil)[0]
        XCTAssertLessThanOrEqual(maxAbsDiff(a, b), 1e-6)
    }
}
