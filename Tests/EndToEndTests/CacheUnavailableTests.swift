import Foundation
import TestSupport
import XCTest

/// A cache that cannot be used never stops a command: it answers, says the cache is off (or that new
/// embeddings are not being saved), and exits 0. Run through sh (popen) so a full disk can be made
/// without root: `ulimit -f` caps the file size and SIGXFSZ is ignored, so writes fail like ENOSPC.
final class CacheUnavailableTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-cache-off") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    /// `loupe ARGS` with LOUPE_HOME=`loupeHome`, `prefix` shell commands first; stdout and stderr apart.
    private func loupe(_ args: String, loupeHome: String, prefix: String = "", stdin: String = "") throws
        -> (status: Int32, stdout: String, stderr: String) {
        let binary = try LoupeBinary.url().path
        let model = try Fixtures.url("jina-e2e").path
        let err = home.appendingPathComponent("stderr-\(UUID().uuidString)").path
        let input = home.appendingPathComponent("stdin-\(UUID().uuidString)")
        try stdin.write(to: input, atomically: true, encoding: .utf8)
        let r = shell("\(prefix) LOUPE_HOME=\(q(loupeHome)) \(q(binary)) \(args) --model \(q(model)) < \(q(input.path)) 2> \(q(err))")
        return (r.status, r.output, (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    private func corpus(_ n: Int) throws -> String {
        let url = home.appendingPathComponent("corpus.txt")
        try (0..<n).map { "document number \($0) about the \(["river", "market", "engine"][$0 % 3])" }
            .joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func assertIndexed(_ run: (status: Int32, stdout: String, stderr: String), documents: Int,
                               says note: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("\"documents\": \(documents)"), run.stdout, file: file, line: line)
        XCTAssertTrue(run.stderr.contains(note), run.stderr, file: file, line: line)
    }

    func testAFileWhereTheCacheDirectoryShouldBe() throws {
        let file = home.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: file)
        let path = try corpus(20)
        assertIndexed(try loupe("index \(q(path)) --json", loupeHome: file.path), documents: 20, says: "embedding cache unavailable")
        // A directory below a file cannot be created either.
        assertIndexed(try loupe("index \(q(path)) --json", loupeHome: file.path + "/sub"), documents: 20,
                      says: "embedding cache unavailable")
        let embed = try loupe("embed --dim 16", loupeHome: file.path, stdin: "{\"text\": \"hello\"}\n")
        XCTAssertEqual(embed.status, 0, embed.stderr)
        XCTAssertTrue(embed.stdout.hasPrefix("{\"embedding\": ["), embed.stdout)
    }

    func testACacheFileThatIsADirectory() throws {
        try FileManager.default.createDirectory(at: home.appendingPathComponent("h/cache.sqlite"), withIntermediateDirectories: true)
        assertIndexed(try loupe("index \(q(try corpus(10))) --json", loupeHome: home.appendingPathComponent("h").path),
                      documents: 10, says: "embedding cache unavailable")
    }

    func testAFullDiskStopsSavingNotAnswering() throws {
        // 64 blocks of 512 bytes: the cache's first pages fit, the embeddings of 300 documents do not.
        let run = try loupe("index \(q(try corpus(300))) --json", loupeHome: home.appendingPathComponent("full").path,
                            prefix: "ulimit -f 64; trap '' XFSZ;")
        assertIndexed(run, documents: 300, says: "new embeddings are not being saved")
        XCTAssertEqual(run.stderr.components(separatedBy: "not being saved").count, 2, "reported once: \(run.stderr)")
    }
}
