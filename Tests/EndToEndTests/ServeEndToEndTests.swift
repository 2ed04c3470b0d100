import XCTest
import Foundation
import Server
import TestSupport

/// `loupe serve` as a process, on 127.0.0.1 with an ephemeral port: the official `openai` Python
/// client and schemathesis (both from the pinned virtualenv `make venv` builds under .build/venv)
/// against it, and SIGTERM with a request in flight.
final class ServeEndToEndTests: XCTestCase {
    private var home: URL!
    private var process: Process?
    private let stderrLines = LineCollector()

    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-e2e-serve") }

    override func tearDown() {
        if let process, process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: home)
    }

    /// Starts `loupe serve --port 0 …` on the jina-e2e checkpoint; returns the port it printed.
    private func startServer(_ extra: [String] = []) throws -> Int {
        let binary = try LoupeBinary.url()  // the sanitized one under `make sanitize`
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--model", try Fixtures.url("jina-e2e").path, "--port", "0"] + extra
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_HOME"] = home.path
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let lines = stderrLines
        err.fileHandleForReading.readabilityHandler = { handle in lines.append(handle.availableData) }
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let line = lines.all.first(where: { $0.contains("listening on http://127.0.0.1:") }),
               let port = Int(line.split(separator: ":").last?.split(separator: " ").first ?? "") {
                return port
            }
            guard process.isRunning else { throw E2EError("loupe serve exited: \(lines.all.joined(separator: "\n"))") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw E2EError("loupe serve did not start listening: \(lines.all.joined(separator: "\n"))")
    }

    private func venvTool(_ name: String) throws -> String {
        let path = Fixtures.repoRoot.appendingPathComponent(".build/venv/bin/\(name)").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw E2EError("\(path) is missing: `make venv` (part of `make test`) installs the pinned test clients")
        }
        return path
    }

    private func run(_ executable: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = home
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        let collected = LineCollector()
        out.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        collected.append(out.fileHandleForReading.readDataToEndOfFile())
        return (p.terminationStatus, collected.text)
    }

    func testTheOpenAIPythonClientGetsTheReferenceVectors() throws {
        let port = try startServer()
        let golden = try XCTUnwrap(try Fixtures.json("jina-e2e/golden_text.json") as? [String: Any])
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]]).filter { ($0["n_tokens"] as? Int ?? 0) < 100 }
        let picked = stride(from: 0, to: cases.count, by: 11).map { cases[$0] }
        let input = home.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: picked.map { ["text": $0["text"] as Any, "task": $0["task"] as Any] })
            .write(to: input)
        let run = try run(try venvTool("python"), [Fixtures.repoRoot.appendingPathComponent("scripts/openai-client-check.py").path,
                                                   "http://127.0.0.1:\(port)", input.path], timeout: 300)
        XCTAssertEqual(run.status, 0, run.output)
        let line = try XCTUnwrap(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, run.output)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(answer["models"] as? [String], ["jina-e2e"])
        let results = try XCTUnwrap(answer["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, picked.count)
        XCTAssertGreaterThan(picked.count, 5)
        for (r, c) in zip(results, picked) {
            let name = "\(c["id"] ?? "") \(c["task"] ?? "")"
            XCTAssertLessThanOrEqual(maxAbsDiff(floats(r["base64_dim32"]), floats((c["truncated"] as? [String: Any])?["32"])), 1e-4, name)
            XCTAssertLessThanOrEqual(maxAbsDiff(floats(r["default"]), floats(c["embedding"])), 1e-4, name)
            XCTAssertEqual(r["prompt_tokens"] as? Int, c["n_tokens"] as? Int, name)
            XCTAssertEqual(r["model"] as? String, "jina-e2e")
        }
    }

    func testSchemathesisFindsNoServerErrorAndNoResponseOutsideTheSchema() throws {
        let port = try startServer()
        let checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
            + "response_schema_conformance"
        let run = try run(try venvTool("schemathesis"), [
            "run", Fixtures.repoRoot.appendingPathComponent("docs/openapi.yaml").path, "--url", "http://127.0.0.1:\(port)",
            "--checks", checks, "--max-examples", "30", "--seed", "7", "--workers", "1", "--no-color",
            "--generation-database", "none", "--request-timeout", "60",
        ], timeout: 600)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("No issues found"), run.output)
        XCTAssertFalse(stderrLines.all.contains { $0.range(of: #" 5\d\d items="#, options: .regularExpression) != nil },
                       stderrLines.all.joined(separator: "\n"))
    }

    func testSIGTERMFinishesTheRequestInFlightAndExitsZero() async throws {
        let port = try startServer(["--no-cache", "--shutdown-grace", "300"])
        let texts = (0..<2000).map { "Document \($0) of the bulk request, about printing presses and books." }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["input": texts]), as: UTF8.self)
        let client = try await LoopbackClient.connect(port: port)
        let inFlight = Task { try await client.post("/v1/embeddings", json: body) }
        let probe = try await LoopbackClient.connect(port: port)
        var queued = false
        for _ in 0..<400 where !queued {
            let metrics = try await probe.send("GET", "/metrics").text
            queued = metrics.split(separator: "\n").contains { line in
                line.hasPrefix("loupe_requests_in_flight ") && (Double(line.split(separator: " ")[1]) ?? 0) >= 1
            }
            if !queued { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        await probe.close()
        XCTAssertTrue(queued, "the bulk request reached the encoder")
        let process = try XCTUnwrap(self.process)
        kill(process.processIdentifier, SIGTERM)
        let answer = try await inFlight.value
        XCTAssertEqual(answer.status, 200, answer.text)
        let data = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])["data"] as? [Any]
        XCTAssertEqual(data?.count, 2000)
        await client.close()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        XCTAssertFalse(process.isRunning)
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0, stderrLines.all.joined(separator: "\n"))
        XCTAssertTrue(stderrLines.all.contains { $0.contains("shutting down") })
        XCTAssertTrue(stderrLines.all.contains { $0.contains("POST /v1/embeddings 200 items=2000") })
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bytes from a pipe, split into lines; safe to feed from a readability handler.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    var all: [String] { text.split(separator: "\n").map(String.init) }
}
