import Corpus
import EmbeddingEngine
import EndpointImitation
import Foundation
import RemoteEncoders
import Server
import Session
import TestSupport
import XCTest

/// OpenAI-compatible and text-embeddings-inference endpoints (fakes; loupe serve's own routes are the
/// end-to-end check), URLs and protocol names.
final class DialectTests: XCTestCase {
    func testAnOpenAIEndpointGetsTheTaskPrefixFromHereAndTheOutputSaysTheAdapterIsMissing() async throws {
        let fakes = try await startFakes([FakeEndpoint(kind: .openai, model: "jina-embeddings-v3")])
        let notes = NoteLog()
        let engine = try await remoteEngine(fakes, home: nil, notes: notes)
        let got = try await engine.embed(["where is the harbor"], task: "retrieval.query")
        await stopAll(fakes)
        let prefix = "Represent the query for retrieving evidence documents: "
        assertVectors([Array(got.vectors.row(0))], [FakeEndpoint.vector(prefix + "where is the harbor", task: nil, dimension: 8)])
        XCTAssertEqual(fakes[0].embedRequests.last?.inputs, [prefix + "where is the harbor"])
        XCTAssertNil(fakes[0].embedRequests.last?.task)
        XCTAssertTrue(notes.all.contains { $0.contains("the task adapter itself cannot be applied") }, "\(notes.all)")
        XCTAssertEqual(engine.info.tasks.count, 5)
        XCTAssertFalse(engine.encoder.supportsLateChunking)
    }

    func testATEIEndpoint() async throws {
        let fakes = try await startFakes([FakeEndpoint(kind: .tei)])
        let engine = try await remoteEngine(fakes, home: nil)
        let got = try await engine.embed(["a quiet meadow", "copper wire"], task: nil)
        await stopAll(fakes)
        assertVectors((0..<2).map { Array(got.vectors.row($0)) },
                      ["a quiet meadow", "copper wire"].map { FakeEndpoint.vector($0, task: nil, dimension: 8) })
        XCTAssertEqual(fakes[0].embedRequests.last?.path, "/embed")
        XCTAssertEqual(engine.encoder.tokenSource, .remote(endpoint: "127.0.0.1:\(fakes[0].port)"))
    }

    func testAChunkedCorpusThroughEndpointsThatCannotLateChunkEmbedsEachChunkAlone() async throws {
        let home = try Fixtures.temporaryDirectory("loupe-remote-chunks")
        defer { try? FileManager.default.removeItem(at: home) }
        let fakes = try await startFakes([FakeEndpoint()])
        let engine = try await remoteEngine(fakes, home: nil)
        XCTAssertNotNil(engine.lateChunkingNote)
        let corpus = try CorpusLoader.load(paths: [try ChunkedCorpus.write(to: home).path])
        let indexed = try await Workspace(engine: engine, corpus: corpus, chunkTokens: 16).index(task: nil)
        await stopAll(fakes)
        XCTAssertGreaterThan(indexed.chunks.count, corpus.documents.count)
        assertVectors(indexed.vectors, indexed.chunks.map { FakeEndpoint.vector($0.text, task: nil, dimension: 8) })
    }

    func testAServerInFrontOfEndpointsWithoutTheirTokenizerCountsButDoesNotMakeUpTokenIDs() async throws {
        let fakes = try await startFakes([FakeEndpoint(kind: .openai)])
        let engine = try await remoteEngine(fakes, home: nil)
        XCTAssertEqual(engine.encoder.tokenSource, .approximate)
        let provider = EngineProvider(engine: engine)
        do {
            _ = try await provider.tokenize(["one two three"], task: nil, addSpecialTokens: true)
            XCTFail("/tokenize answered with approximate tokens")
        } catch {
            XCTAssertTrue("\(error)".contains("tokenizer is not here"), "\(error)")
        }
        let counts = try await provider.countTokens(["one two three"], task: nil)
        await stopAll(fakes)
        XCTAssertEqual(counts, [5], "three words and the two special tokens")
    }

    func testURLsAndProtocolNames() throws {
        XCTAssertEqual(try EndpointAddress("http://gpu:8080/v1/embeddings").base.absoluteString, "http://gpu:8080")
        XCTAssertEqual(try EndpointAddress("gpu:8080/").name, "gpu:8080")
        XCTAssertEqual(try EndpointAddress("https://api.example.com/openai/v1").base.absoluteString, "https://api.example.com/openai")
        XCTAssertThrowsError(try EndpointAddress("ftp://gpu"))
        XCTAssertThrowsError(try EndpointAddress("http://user:pw@gpu:8080"))
        XCTAssertEqual(try EndpointKind.parse("TEI"), .tei)
        XCTAssertThrowsError(try EndpointKind.parse("grpc"))
    }
}
