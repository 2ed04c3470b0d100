import Foundation
import JinaEmbeddings
import Session
import TestSupport
import XCTest

/// `--precision` reaches the model through the one path every front end takes (EngineOptions →
/// Engine.open): the CLI commands, the explorer and the server. `--lossy` / `LOUPE_LOSSY` are bf16.
final class PrecisionOptionTests: XCTestCase {
    func testPrecisionLossyAndTheEnvironmentResolveByTheDocumentedRules() throws {
        func resolved(_ precision: Precision?, lossy: Bool = false, env: [String: String] = [:]) throws -> Precision {
            try EngineOptions(precision: precision, lossy: lossy, environment: env).resolvedPrecision()
        }
        XCTAssertEqual(try resolved(nil), .exact, "exact is the default")
        XCTAssertEqual(try resolved(nil, lossy: true), .bf16)
        for value in ["1", "true", "YES"] { XCTAssertEqual(try resolved(nil, env: ["LOUPE_LOSSY": value]), .bf16, value) }
        XCTAssertEqual(try resolved(nil, env: ["LOUPE_LOSSY": "0"]), .exact)
        XCTAssertEqual(try resolved(.int8, env: ["LOUPE_LOSSY": "1"]), .int8, "an explicit --precision wins over the variable")
        XCTAssertEqual(try resolved(.bf16, lossy: true), .bf16, "--lossy agrees with bf16")
        XCTAssertEqual(try resolved(.exact), .exact)
        XCTAssertThrowsError(try resolved(.int8, lossy: true)) { error in
            XCTAssertEqual(error as? SessionError, .options("--lossy means --precision bf16; drop one of them"))
        }
    }

    func testEngineOpensTheModelAtThatPrecisionWithItsOwnCacheIdentity() async throws {
        let dir = try Fixtures.url("jina-e2e").path
        let notes = NoteLog()
        let exact = try await Engine.open(EngineOptions(model: dir, cache: .off, environment: [:]))
        let int8 = try await Engine.open(EngineOptions(model: dir, precision: .int8, cache: .off, environment: [:])) { notes.add($0) }
        XCTAssertEqual(exact.model?.precision, .exact)
        XCTAssertEqual(int8.model?.precision, .int8)
        XCTAssertNotEqual(int8.info.fingerprint, exact.info.fingerprint, "the cache key hashes the fingerprint")
        XCTAssertTrue(notes.all.contains { if case .notice(let m) = $0 { m.hasPrefix("precision int8:") } else { false } },
                      "\(notes.all)")
        let ids: [[Int32]] = [[0, 5, 17, 300, 2]]
        let a = try XCTUnwrap(exact.model).embed(ids: ids, tasks: [nil])[0]
        let b = try XCTUnwrap(int8.model).embed(ids: ids, tasks: [nil])[0]
        XCTAssertNotEqual(a, b, "int8 runs its own kernels")
        XCTAssertGreaterThan(zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }, 0.999)
        do {
            _ = try await Engine.open(EngineOptions(model: dir, precision: .int8, lossy: true, cache: .off))
            XCTFail("--lossy with --precision int8 opened an engine")
        } catch {
            XCTAssertEqual(error as? SessionError, .options("--lossy means --precision bf16; drop one of them"))
        }
    }
}

private final class NoteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [SessionNote] = []
    func add(_ note: SessionNote) { lock.withLock { notes.append(note) } }
    var all: [SessionNote] { lock.withLock { notes } }
}
