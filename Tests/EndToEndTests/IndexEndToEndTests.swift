import XCTest
import Foundation
import TestSupport

/// `loupe index` and `loupe cache` as a user runs them: the debug binary built by `swift test`, a fresh
/// LOUPE_HOME per test, and the tiny real-layout jina checkpoint in `.fixtures/jina-e2e`.
final class IndexEndToEndTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = try Fixtures.temporaryDirectory("loupe-e2e-index")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    private struct Run {
        var status: Int32
        var reason: Process.TerminationReason
        var stdout: String
        var stderr: String
    }

    private func binary() throws -> URL { try LoupeBinary.url() }

    private func modelArgs() throws -> [String] { ["--model", try Fixtures.url("jina-e2e").path] }

    private func start(_ args: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_HOME"] = home.path
        env.removeValue(forKey: "LOUPE_MODEL")
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    private func finish(_ p: (Process, Pipe, Pipe)) -> Run {
        let out = p.1.fileHandleForReading.readDataToEndOfFile()
        let err = p.2.fileHandleForReading.readDataToEndOfFile()
        p.0.waitUntilExit()
        return Run(status: p.0.terminationStatus, reason: p.0.terminationReason,
                   stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    private func loupe(_ args: [String]) throws -> Run { finish(try start(args)) }

    /// Runs `loupe index --json` and returns the summary object.
    private func index(_ corpus: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let run = try loupe(["index", corpus.path, "--json"] + modelArgs())
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "the JSON summary is one line: \(run.stdout)", file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8))
        return try XCTUnwrap(object as? [String: Any], file: file, line: line)
    }

    private func cacheEntries() throws -> Int {
        let run = try loupe(["cache", "stats", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (object?["entries"] as? Int) ?? -1
    }

    private func writeCorpus(_ name: String, lines: [String]) throws -> URL {
        let url = home.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func sentences(_ n: Int, words: Int = 12, seed: UInt64 = 1) -> [String] {
        let vocabulary = ["river", "market", "engine", "quiet", "silver", "garden", "number", "window", "cloud",
                          "paper", "orbit", "signal", "harbor", "lantern", "meadow", "circuit", "velvet", "copper"]
        var rng = SeededRNG(seed: seed)
        return (0..<n).map { i in
            "Line \(i): " + (0..<words).map { _ in vocabulary[Int(rng.next() % UInt64(vocabulary.count))] }.joined(separator: " ") + "."
        }
    }

    func testSecondIndexOfTheSameCorpusEmbedsNothing() throws {
        let corpus = try writeCorpus("c.txt", lines: sentences(40))
        let first = try index(corpus)
        XCTAssertEqual(first["documents"] as? Int, 40)
        XCTAssertEqual(first["chunks"] as? Int, 40)
        XCTAssertEqual(first["embedded"] as? Int, 40)
        XCTAssertEqual(first["cached"] as? Int, 0)
        XCTAssertNotNil(first["seconds"] as? Double)
        let second = try index(corpus)
        XCTAssertEqual(second["embedded"] as? Int, 0)
        XCTAssertEqual(second["cached"] as? Int, 40)
        XCTAssertEqual(try cacheEntries(), 40)
        let cleared = try loupe(["cache", "clear"])
        XCTAssertEqual(cleared.status, 0, cleared.stderr)
        XCTAssertEqual(try cacheEntries(), 0)
    }

    func testTwoProcessesIndexingAtOnce() throws {
        // Overlapping corpora: both processes write some of the same texts at the same time.
        let all = sentences(600, seed: 2)
        let a = try writeCorpus("a.txt", lines: Array(all[0..<400]))
        let b = try writeCorpus("b.txt", lines: Array(all[200..<600]))
        let pa = try start(["index", a.path, "--json"] + modelArgs())
        let pb = try start(["index", b.path, "--json"] + modelArgs())
        let ra = finish(pa), rb = finish(pb)
        XCTAssertEqual(ra.status, 0, ra.stderr)
        XCTAssertEqual(rb.status, 0, rb.stderr)
        XCTAssertEqual(try cacheEntries(), 600, "every text once, none lost, none duplicated")
        let union = try writeCorpus("all.txt", lines: all)
        XCTAssertEqual(try index(union)["embedded"] as? Int, 0)
    }

    func testKilledIndexRerunsToCompletionWithNothingLostOrDuplicated() throws {
        let lines = sentences(1500, words: 40, seed: 3)
        let corpus = try writeCorpus("big.txt", lines: lines)
        let running = try start(["index", corpus.path, "--json"] + modelArgs())
        // Wait until some batches are committed, then kill without warning.
        let deadline = Date().addingTimeInterval(120)
        var seen = 0
        while running.0.isRunning && Date() < deadline {
            seen = try cacheEntries()
            if seen > 0 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard running.0.isRunning else {
            let early = finish(running)
            XCTAssertEqual(early.status, 0, early.stderr)
            throw XCTSkip("indexing finished before it could be killed (\(seen) entries seen); the corpus is too small for this machine")
        }
        kill(running.0.processIdentifier, SIGKILL)
        let killed = finish(running)
        XCTAssertEqual(killed.reason, .uncaughtSignal)
        XCTAssertEqual(killed.status, SIGKILL)

        let saved = try cacheEntries()
        XCTAssertGreaterThan(saved, 0)
        XCTAssertLessThan(saved, 1500)
        let rerun = try index(corpus)
        XCTAssertEqual(rerun["documents"] as? Int, 1500)
        XCTAssertEqual(rerun["cached"] as? Int, saved, "everything committed before the kill is reused")
        XCTAssertEqual(rerun["embedded"] as? Int, 1500 - saved)
        XCTAssertEqual(try cacheEntries(), 1500)
        XCTAssertEqual(try index(corpus)["embedded"] as? Int, 0)
    }

    func testCorruptCacheIsMovedAsideAndRebuilt() throws {
        let corpus = try writeCorpus("c.txt", lines: sentences(10))
        _ = try index(corpus)
        let file = home.appendingPathComponent("cache.sqlite")
        try Data(repeating: 0x5A, count: 64 * 1024).write(to: file)
        for side in ["cache.sqlite-wal", "cache.sqlite-shm"] { try? FileManager.default.removeItem(at: home.appendingPathComponent(side)) }
        let run = try loupe(["index", corpus.path, "--json"] + modelArgs())
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("moved it to cache.sqlite.corrupt-"), run.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["embedded"] as? Int, 10)
        let names = try FileManager.default.contentsOfDirectory(atPath: home.path)
        XCTAssertTrue(names.contains { $0.hasPrefix("cache.sqlite.corrupt-") }, "\(names)")
        XCTAssertEqual(try cacheEntries(), 10)
    }

    func testBadInputIsAClearErrorNotACrash() throws {
        let empty = try writeCorpus("empty.txt", lines: ["", "   "])
        let run = try loupe(["index", empty.path] + modelArgs())
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.reason, .exit)
        XCTAssertTrue(run.stderr.contains("corpus is empty"), run.stderr)
        let missing = try loupe(["index", home.appendingPathComponent("nope.csv").path] + modelArgs())
        XCTAssertEqual(missing.reason, .exit)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)
    }
}
