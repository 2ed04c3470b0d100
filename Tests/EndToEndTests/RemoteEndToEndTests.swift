import XCTest
import Foundation
import TestSupport

/// `--endpoint` as a user runs it: `loupe serve` processes (the built binary, the jina-e2e checkpoint) on
/// loopback as the encoders of `loupe embed` and `loupe index`, one of them killed with SIGKILL in the
/// middle of a run, the indexing client itself killed and run again, and loupe serve's OpenAI and
/// text-embeddings-inference routes as endpoints of those dialects.
final class RemoteEndToEndTests: XCTestCase {
    private var home: URL!
    private var servers: [Process] = []

    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-e2e-remote") }

    override func tearDown() {
        for p in servers where p.isRunning { p.terminate(); p.waitUntilExit() }
        try? FileManager.default.removeItem(at: home)
    }

    private func modelPath() throws -> String { try Fixtures.url("jina-e2e").path }

    /// Starts `loupe serve --port 0 --no-cache` on jina-e2e with its own LOUPE_HOME; returns its URL.
    private func startServer() throws -> (url: String, process: Process) {
        let process = Process()
        process.executableURL = try LoupeBinary.url()
        process.arguments = ["serve", "--model", try modelPath(), "--port", "0", "--no-cache"]
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_HOME"] = home.appendingPathComponent("server-\(servers.count)").path
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let lines = LineCollector()
        err.fileHandleForReading.readabilityHandler = { lines.append($0.availableData) }
        try process.run()
        servers.append(process)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let line = lines.all.first(where: { $0.contains("listening on http://127.0.0.1:") }),
               let port = Int(line.split(separator: ":").last?.split(separator: " ").first ?? "") {
                return ("http://127.0.0.1:\(port)", process)
            }
            guard process.isRunning else { throw E2EError("loupe serve exited: \(lines.text)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw E2EError("loupe serve did not start: \(lines.text)")
    }

    private func localHome() throws -> URL {
        let url = home.appendingPathComponent("local")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func endpointArgs(_ urls: [String]) -> [String] { urls.flatMap { ["--endpoint", $0] } }

    private func loupe(_ args: [String], stdin: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        try LoupeBinary.run(args, home: home, stdin: stdin, environment: ["LOUPE_MODEL": nil])
    }

    private func embeddings(_ stdout: String) throws -> [[Float]] {
        struct Line: Decodable { var embedding: [Float] }
        return try stdout.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)).embedding }
    }

    private func jsonl(_ texts: [String]) throws -> String {
        try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
            .joined(separator: "\n") + "\n"
    }

    private func sentences(_ n: Int, words: Int, seed: UInt64) -> [String] {
        let vocabulary = ["river", "market", "engine", "quiet", "silver", "garden", "number", "window", "cloud",
                          "paper", "orbit", "signal", "harbor", "lantern", "meadow", "circuit", "velvet", "copper"]
        var rng = SeededRNG(seed: seed)
        return (0..<n).map { i in
            "Line \(i): " + (0..<words).map { _ in vocabulary[Int(rng.next() % UInt64(vocabulary.count))] }.joined(separator: " ") + "."
        }
    }

    private func cacheEntries() throws -> Int {
        let run = try loupe(["cache", "stats", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        return ((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["entries"] as? Int) ?? -1
    }

    func testVectorsThroughTwoServersEqualTheLocalOnes() throws {
        let urls = try (0..<2).map { _ in try startServer().url }
        let texts = sentences(40, words: 9, seed: 4)
        for task in ["retrieval.query", "text-matching"] {
            let remote = try loupe(["embed", "--task", task] + endpointArgs(urls), stdin: try jsonl(texts))
            XCTAssertEqual(remote.status, 0, remote.stderr)
            for url in urls {  // stderr reports what each endpoint did, as the corpus commands do
                let name = url.replacingOccurrences(of: "http://", with: "")
                XCTAssertTrue(remote.stderr.contains("endpoint \(name): "), remote.stderr)
            }
            // Another LOUPE_HOME: the local vectors are computed here, not read from the remote run's cache.
            let local = try LoupeBinary.run(["embed", "--task", task, "--model", try modelPath()],
                                            home: try localHome(), stdin: try jsonl(texts))
            XCTAssertEqual(local.status, 0, local.stderr)
            let (r, l) = (try embeddings(remote.stdout), try embeddings(local.stdout))
            XCTAssertEqual(r.count, texts.count)
            for (a, b) in zip(r, l) { XCTAssertLessThanOrEqual(maxAbsDiff(a, b), 1e-6, task) }
        }
    }

    func testAnEndpointKilledMidRunLosesNothingAndARerunEmbedsNothing() throws {
        let servers = try (0..<3).map { _ in try startServer() }
        let lines = sentences(2500, words: 40, seed: 8)
        let corpus = home.appendingPathComponent("big.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: corpus, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try LoupeBinary.url()
        process.arguments = ["index", corpus.path, "--json"] + endpointArgs(servers.map(\.url))
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_HOME"] = home.path
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Kill the third endpoint once batches are in the cache.
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline, try cacheEntries() < 100 { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(process.isRunning, "the run is long enough to kill an endpoint in the middle of it")
        kill(servers[2].process.processIdentifier, SIGKILL)
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = String(decoding: stderr, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, errors)
        for server in servers.prefix(2) {
            let name = server.url.dropFirst("http://".count)
            XCTAssertTrue(errors.contains("endpoint \(name): "), "each endpoint's work is reported: \(errors)")
        }
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        XCTAssertEqual(summary["documents"] as? Int, 2500)
        XCTAssertEqual((summary["embedded"] as? Int ?? 0) + (summary["cached"] as? Int ?? 0), 2500)
        XCTAssertEqual(try cacheEntries(), 2500, "every document once: nothing lost, nothing duplicated")
        let rerun = try loupe(["index", corpus.path, "--json"] + endpointArgs(servers.prefix(2).map(\.url)))
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let again = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(again["embedded"] as? Int, 0)
        XCTAssertEqual(again["cached"] as? Int, 2500)
    }

    func testAnInterruptedRunContinuesWithoutEmbeddingAgain() throws {
        let urls = try (0..<2).map { _ in try startServer().url }
        let lines = sentences(2500, words: 40, seed: 9)
        let corpus = home.appendingPathComponent("big.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: corpus, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try LoupeBinary.url()
        process.arguments = ["index", corpus.path, "--json"] + endpointArgs(urls)
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_HOME"] = home.path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline, try cacheEntries() < 100 { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(process.isRunning, "the run is long enough to interrupt")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let saved = try cacheEntries()
        XCTAssertGreaterThan(saved, 0)
        XCTAssertLessThan(saved, 2500)
        let rerun = try loupe(["index", corpus.path, "--json"] + endpointArgs(urls))
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["cached"] as? Int, saved, "everything embedded before the interruption is reused")
        XCTAssertEqual(summary["embedded"] as? Int, 2500 - saved)
        XCTAssertEqual(try cacheEntries(), 2500)
    }

    func testLoupeServesOwnOpenAIAndTEIRoutesAsEndpointsOfThoseDialects() throws {
        let url = try startServer().url
        let texts = sentences(6, words: 7, seed: 12)
        let prefix = "Represent the query for retrieving evidence documents: "
        // OpenAI: raw text, so the prefix is added here and the adapter cannot be applied.
        let openai = try loupe(["embed", "--task", "retrieval.query", "--endpoint", url, "--endpoint-protocol", "openai"],
                               stdin: try jsonl(texts))
        XCTAssertEqual(openai.status, 0, openai.stderr)
        XCTAssertTrue(openai.stderr.contains("the task adapter itself cannot be applied"), openai.stderr)
        let base = try LoupeBinary.run(["embed", "--task", "none", "--no-prefix", "--model", try modelPath()],
                                       home: try localHome(), stdin: try jsonl(texts.map { prefix + $0 }))
        XCTAssertEqual(base.status, 0, base.stderr)
        for (a, b) in zip(try embeddings(openai.stdout), try embeddings(base.stdout)) { XCTAssertLessThanOrEqual(maxAbsDiff(a, b), 1e-6) }
        // TEI: /embed with prompt_name, which loupe serve reads as the task: the adapter applies.
        let tei = try loupe(["embed", "--task", "retrieval.query", "--endpoint", url, "--endpoint-protocol", "tei"],
                            stdin: try jsonl(texts))
        XCTAssertEqual(tei.status, 0, tei.stderr)
        let local = try LoupeBinary.run(["embed", "--task", "retrieval.query", "--model", try modelPath()],
                                        home: try localHome(), stdin: try jsonl(texts))
        for (a, b) in zip(try embeddings(tei.stdout), try embeddings(local.stdout)) { XCTAssertLessThanOrEqual(maxAbsDiff(a, b), 1e-6) }
        XCTAssertEqual(try embeddings(tei.stdout).count, texts.count)
    }
}
