import Foundation
import XCTest
@testable import Server
import Corpus
import EmbeddingEngine
import JinaEmbeddings
import Session
import TestSupport

/// A server on 127.0.0.1 with an ephemeral port, in this process, over a real provider.
final class ServerHarness: @unchecked Sendable {
    let server: EmbeddingServer
    let port: Int
    let log: LineLog
    private let task: Task<Void, any Error>

    private init(server: EmbeddingServer, port: Int, log: LineLog, task: Task<Void, any Error>) {
        self.server = server; self.port = port; self.log = log; self.task = task
    }

    static func start(_ provider: any EmbeddingProvider,
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerHarness {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        let log = LineLog()
        let server = EmbeddingServer(provider: provider, configuration: configuration) { log.add($0) }
        let bound = LineLog()
        let task = Task { try await server.run(signals: []) { bound.add(String($0)) } }
        let deadline = Date().addingTimeInterval(30)
        while bound.all.isEmpty {
            guard Date() < deadline else { throw HarnessError("the server did not start listening within 30 s") }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        return ServerHarness(server: server, port: Int(bound.all[0]) ?? 0, log: log, task: task)
    }

    func client() async throws -> LoopbackClient { try await LoopbackClient.connect(port: port) }

    /// One request on a new connection.
    func post(_ path: String, _ json: String, headers: [(String, String)] = []) async throws -> LoopbackClient.Response {
        let c = try await client()
        defer { Task { await c.close() } }
        return try await c.post(path, json: json, headers: headers)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> LoopbackClient.Response {
        let c = try await client()
        defer { Task { await c.close() } }
        return try await c.send("GET", path, headers: headers)
    }

    /// Graceful shutdown; returns when the server has stopped.
    func stop() async throws {
        await server.shutdown()
        try await task.value
    }
}

/// The jina-e2e checkpoint (jina-v3 layout, real XLM-R tokenizer) behind the real adapter.
enum Engines {
    static func jina(cacheDirectory: URL? = nil) throws -> (EngineProvider, EmbeddingModel) {
        let model = try EmbeddingModel.load(directory: try Fixtures.url("jina-e2e"))
        let cache = try cacheDirectory.map { try EmbeddingCache.open(directory: $0) }
        return (EngineProvider(engine: Engine(model: model, cache: cache)), model)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ s: String) { lock.withLock { lines.append(s) } }
    var all: [String] { lock.withLock { lines } }
}

/// JSON helpers for responses.
func object(_ response: LoopbackClient.Response, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                  response.text, file: file, line: line)
}

func jsonString(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
}

/// The error object of an error answer: (code, param, message).
func apiError(_ response: LoopbackClient.Response) throws -> (code: String, param: String?, message: String) {
    let error = try XCTUnwrap(try object(response)["error"] as? [String: Any], response.text)
    XCTAssertNotNil(error["type"] as? String)
    return (try XCTUnwrap(error["code"] as? String), error["param"] as? String, try XCTUnwrap(error["message"] as? String))
}
