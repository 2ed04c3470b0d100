import Foundation
@testable import JinaEmbeddings
import TestSupport
import XCTest

final class ModelAPITests: XCTestCase {
    func testConfigDefaultsAndSideFiles() throws {
        let dir = try Fixtures.url("jina-tiny")
        let c = try ModelConfig.load(directory: dir)
        XCTAssertEqual(c.positions, .rotary)
        XCTAssertEqual(c.rotaryBase, 20000)
        XCTAssertEqual(c.loraScaling, 0.25)
        XCTAssertEqual(c.matryoshkaDimensions, [8, 16, 32, 64])
        XCTAssertEqual(c.maxSequenceLength, 8194)
        XCTAssertEqual(c.taskInstructions["retrieval.query"], "Represent the query for retrieving evidence documents: ")
        var json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any])
        json.removeValue(forKey: "rotary_emb_base")
        let c2 = try ModelConfig.parse(configJSON: try JSONSerialization.data(withJSONObject: json), path: "x")
        XCTAssertEqual(c2.rotaryBase, 10000)

        let mini = try ModelConfig.load(directory: try Fixtures.defaultModelDirectory())
        XCTAssertEqual(mini.positions, .absolute)
        XCTAssertEqual(mini.maxSequenceLength, 256)
        XCTAssertEqual(mini.typeVocabSize, 2)
        XCTAssertEqual(mini.layerNormEps, 1e-12)
    }

    func testFingerprintIsStableAndDependsOnWeights() throws {
        let a = try EmbeddingModel.load(directory: try Fixtures.url("jina-tiny"))
        let b = try EmbeddingModel.load(directory: try Fixtures.url("jina-tiny"))
        let c = try EmbeddingModel.load(directory: try Fixtures.url("jina-tiny-bf16"))
        XCTAssertEqual(a.fingerprint, b.fingerprint)
        XCTAssertNotEqual(a.fingerprint, c.fingerprint)
        XCTAssertEqual(a.fingerprint.count, 64)
    }

    /// Linear weights stay in the checkpoint's dtype (2 bytes per weight for bf16), and the path
    /// of machines without AVX-512 (BLAS on widened tiles, BLAS attention) gives the same numbers.
    func testWeightsKeepCheckpointDTypeAndFallbackPathAgrees() throws {
        let bf16 = try EmbeddingModel.load(directory: try Fixtures.url("jina-tiny-bf16"))
        let f32 = try EmbeddingModel.load(directory: try Fixtures.url("jina-tiny"))
        for layer in bf16.weights.layers { XCTAssertEqual(layer.fc1.weight.dtype, .bf16) }
        for layer in f32.weights.layers { XCTAssertEqual(layer.fc1.weight.dtype, .f32) }
        let q = bf16.weights.layers[0].qkv.weight
        XCTAssertEqual(q.bytes, (q.rows + 31) / 32 * 32 * q.cols * 2)

        let hd64 = try EmbeddingModel.load(directory: try Fixtures.url("jina-hd64"))
        for (model, adapter) in [(bf16, 0), (f32, 2), (hd64, 1)] {
            let batch = PackedBatch(ids: [0, 5, 17, 300, 2, 0, 9, 2], rows: [0..<5, 5..<8], adapters: [adapter, nil])
            let fast = try model.forward(batch)
            let fallback = try model.forward(batch, path: .fallback)
            XCTAssertLessThanOrEqual(maxAbsDiff(fast, fallback), 1e-5)
        }
    }

    /// Packing rows must not leak attention across rows: a row alone equals the row in a batch.
    func testPackedRowsAreIndependent() throws {
        let model = try EmbeddingModel.synthetic("jina-tiny", seed: 7)
        let a: [Int32] = [0, 10, 20, 30, 2], b: [Int32] = [0, 99, 2]
        let both = try model.embed(ids: [a, b], tasks: ["separation", "classification"])
        XCTAssertLessThanOrEqual(maxAbsDiff(both[0], try model.embed(ids: [a], tasks: ["separation"])[0]), 1e-6)
        XCTAssertLessThanOrEqual(maxAbsDiff(both[1], try model.embed(ids: [b], tasks: ["classification"])[0]), 1e-6)
        XCTAssertThrowsError(try model.embed(ids: [[0, 5000, 2]], tasks: [nil]))
        XCTAssertThrowsError(try model.embed(ids: [[]], tasks: [nil]))
        XCTAssertThrowsError(try model.embed(ids: [a], tasks: ["bogus"]))
    }

    func testLocatorOrder() throws {
        let tiny = try Fixtures.url("jina-tiny").path
        let empty = try Fixtures.temporaryDirectory("locator")
        var env = ["HOME": empty.path, "LOUPE_MODEL": tiny]
        XCTAssertEqual(try ModelLocator.resolve(explicit: tiny, environment: env).reason, "--model")
        XCTAssertEqual(try ModelLocator.resolve(explicit: nil, environment: env).reason, "$LOUPE_MODEL")
        env["LOUPE_MODEL"] = nil
        let snap = empty.appendingPathComponent(".cache/huggingface/hub/models--jinaai--jina-embeddings-v3/snapshots/abc")
        try FileManager.default.createDirectory(at: snap, withIntermediateDirectories: true)
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: tiny + "/" + f, toPath: snap.appendingPathComponent(f).path)
        }
        let r = try ModelLocator.resolve(explicit: nil, environment: env)
        XCTAssertEqual(r.directory.lastPathComponent, "abc")
        XCTAssertTrue(r.reason.contains("Hugging Face cache"))
        XCTAssertEqual(EmbeddingModel.displayName(directory: r.directory), "jina-embeddings-v3")
        env["HF_HOME"] = empty.appendingPathComponent("nowhere").path
        env["LOUPE_HOME"] = empty.appendingPathComponent("nothing").path
        XCTAssertThrowsError(try ModelLocator.resolve(explicit: nil, environment: env)) { error in
            XCTAssertTrue("\(error)".contains("make model"), "\(error)")
        }
        XCTAssertThrowsError(try ModelLocator.resolve(explicit: "/nonexistent", environment: [:]))
    }

    func testCacheRootFollowsHuggingFaceHub() {
        let env = ["HOME": "/home/u"]
        XCTAssertEqual(HubCache(environment: env).root.path, "/home/u/.cache/huggingface/hub")
        XCTAssertEqual(HubCache(environment: env.merging(["XDG_CACHE_HOME": "/x"]) { $1 }).root.path, "/x/huggingface/hub")
        XCTAssertEqual(HubCache(environment: env.merging(["HF_HOME": "/h"]) { $1 }).root.path, "/h/hub")
        XCTAssertEqual(HubCache(environment: env.merging(["HF_HOME": "/h", "HUGGINGFACE_HUB_CACHE": "/legacy"]) { $1 }).root.path,
                       "/legacy")
        XCTAssertEqual(HubCache(environment: env.merging(["HF_HOME": "/h", "HUGGINGFACE_HUB_CACHE": "/legacy",
                                                          "HF_HUB_CACHE": "/c"]) { $1 }).root.path, "/c")
        XCTAssertEqual(HubCache(root: URL(fileURLWithPath: "/c")).repository("jinaai/jina-embeddings-v3").path,
                       "/c/models--jinaai--jina-embeddings-v3")
    }
}
