import Foundation
import JinaEmbeddings
import Session
@testable import Server
import TestSupport
import XCTest

/// `loupe serve --precision int8`: the engine opened through EngineOptions (as the command does) serves
/// int8 vectors — near the reference golden, not equal to it — and `/info` names the precision.
final class ServerPrecisionTests: XCTestCase {
    func testInfoNamesThePrecisionAndTheVectorsComeFromIt() async throws {
        let golden = try XCTUnwrap(try Fixtures.json("jina-e2e/golden_text.json") as? [String: Any])
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]])
        let picked = cases.filter { $0["task"] as? String == "retrieval.query" && ($0["n_tokens"] as? Int ?? 0) < 100 }
        XCTAssertGreaterThan(picked.count, 10)
        let request = try jsonString(["input": picked.map { $0["text"] as Any }, "task": "retrieval.query"])

        for (precision, dtype) in [(Precision.exact, "float32"), (.int8, "int8")] {
            let options = EngineOptions(model: try Fixtures.url("jina-e2e").path, precision: precision, cache: .off,
                                        environment: [:])
            let harness = try await ServerHarness.start(EngineProvider(engine: try Engine.open(options)))
            do {
                let info = try object(try await harness.get("/info"))
                XCTAssertEqual(info["precision"] as? String, precision.rawValue)
                XCTAssertEqual(info["model_dtype"] as? String, dtype)

                let response = try await harness.post("/v1/embeddings", request)
                XCTAssertEqual(response.status, 200, response.text)
                let data = try XCTUnwrap(try object(response)["data"] as? [[String: Any]])
                XCTAssertEqual(data.count, picked.count)
                var worst: Float = 1, largest: Float = 0
                for (d, c) in zip(data, picked) {
                    let got = floats(d["embedding"]), want = floats(c["embedding"])
                    worst = min(worst, cosine(got, want))
                    largest = max(largest, maxAbsDiff(got, want))
                }
                if precision == .exact {
                    XCTAssertLessThanOrEqual(largest, 1e-4, "exact serves the reference")
                } else {
                    XCTAssertGreaterThan(largest, 1e-4, "int8 must not be served the exact vectors")
                    XCTAssertGreaterThan(worst, 0.999, "int8 stays near the reference")
                }
            } catch {
                try await harness.stop()
                throw error
            }
            try await harness.stop()
        }
    }
}
