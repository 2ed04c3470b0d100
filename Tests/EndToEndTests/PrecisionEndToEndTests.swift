import Foundation
import TestSupport
import XCTest

/// `--precision` is one model option of every command that loads a model: each parses it and hands it to
/// the session, whose one rule then applies (here: `--lossy` beside int8 is refused before any model loads).
/// What each precision computes: EmbedEndToEndTests, PrecisionOptionTests, ServerPrecisionTests and the
/// explorer at int8 in ExplorerTmuxTests.
final class PrecisionEndToEndTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-e2e-precision") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func testEveryModelCommandTakesThePrecisionToTheSession() throws {
        let model = try Fixtures.url("jina-e2e").path
        let faq = Fixtures.repoRoot.appendingPathComponent("samples/faq.txt").path
        let pairs = Fixtures.repoRoot.appendingPathComponent("samples/eval/pairs.tsv").path
        let commands: [[String]] = [
            ["embed"], ["index", faq], ["search", faq, "--query", "refund"], ["neighbours", faq, "--index", "0"],
            ["cluster", faq], ["dedup", faq], ["similarity"], ["compare", "--tasks", "retrieval.query,text-matching"],
            ["eval", pairs], ["serve", "--port", "0"], ["bench", "--case", "query"],
        ]
        for command in commands {
            let run = try LoupeBinary.run(command + ["--model", model, "--quiet", "--lossy", "--precision", "int8"], home: home,
                                          stdin: "{\"text\": \"a\"}\n")
            XCTAssertNotEqual(run.status, 0, "\(command)")
            XCTAssertTrue((run.stderr + run.stdout).contains("--lossy means --precision bf16"), "\(command): \(run.stderr) \(run.stdout)")
        }
    }
}
