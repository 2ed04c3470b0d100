import XCTest
import Foundation
@testable import Server
import Corpus
import EmbeddingEngine
import JinaEmbeddings
import Session
import TestSupport

/// What a loupe client needs from a loupe server to use it as an endpoint: `/info` describes the model
/// (tasks, instruction prefixes, dimensions, fingerprint, prefixes and late chunking), and a client's
/// `X-Loupe-Priority` puts its request in the lane it names.
final class ServerInfoTests: XCTestCase {
    func testInfoDescribesTheModelForRemoteClients() async throws {
        let (provider, model) = try Engines.jina()
        let harness = try await ServerHarness.start(provider)
        let info = try object(try await harness.get("/info"))
        try await harness.stop()
        XCTAssertEqual(info["model_id"] as? String, "jina-e2e")
        XCTAssertEqual(info["tasks"] as? [String], model.tasks)
        XCTAssertEqual(info["instructions"] as? [String: String], model.config.taskInstructions)
        XCTAssertEqual(info["default_task"] as? String, "text-matching")
        XCTAssertEqual(info["fingerprint"] as? String, model.fingerprint)
        XCTAssertEqual(info["dimensions"] as? [Int], model.dimensions)
        XCTAssertEqual(info["max_input_length"] as? Int, model.maxLength)
        XCTAssertEqual(info["applies_prefix"] as? Bool, true)
        XCTAssertEqual(info["late_chunking"] as? Bool, true)
    }

    func testThePriorityHeaderChoosesTheLane() async throws {
        let service = EncoderService(backend: HashingBackend(), tokenBudget: 64, maxRows: 8)
        let provider = EngineProvider(engine: Engine(encoder: service, cache: nil))
        let lanes = LaneLog()
        provider.observeBatches { lanes.add($0.lane) }
        let harness = try await ServerHarness.start(provider)
        let small = try jsonString(["input": ["one short text"]])
        _ = try await harness.post("/v1/embeddings", small)
        _ = try await harness.post("/v1/embeddings", small.replacingOccurrences(of: "one", with: "two"),
                                   headers: [("X-Loupe-Priority", "bulk")])
        _ = try await harness.post("/embed", try jsonString(["inputs": ["three"]]), headers: [("X-Loupe-Priority", "bulk")])
        try await harness.stop()
        XCTAssertEqual(lanes.all, [.interactive, .bulk, .bulk])
    }
}

final class LaneLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lanes: [Lane] = []
    func add(_ l: Lane) { lock.withLock { lanes.append(l) } }
    var all: [Lane] { lock.withLock { lanes } }
}
