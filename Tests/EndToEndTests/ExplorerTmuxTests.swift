import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Drives the real `loupe` binary inside a detached tmux server (its own socket) with the default
/// model, and reads the screen back with capture-pane. Polls with timeouts instead of sleeping.
final class ExplorerTmuxTests: XCTestCase {
    var tmux: Tmux!
    var home: URL!

    override func setUpWithError() throws {
        guard shell("command -v tmux >/dev/null 2>&1").status == 0 else {
            throw FixtureError.missing("tmux (scripts/setup-system.sh installs it)")
        }
        tmux = Tmux(server: "loupe-e2e-\(UUID().uuidString.prefix(8))")
        home = try Fixtures.temporaryDirectory("loupe-explorer-e2e")
    }

    override func tearDown() {
        tmux?.kill()
        if let home { try? FileManager.default.removeItem(at: home) }
    }

    /// The binary (debug first, as `swift test` builds it) and the default model; the test fails without them.
    func prerequisites() throws -> (binary: String, model: String) {
        (try LoupeBinary.url().path, try Fixtures.defaultModelDirectory().path)
    }

    /// The shell command tmux runs: loupe with LOUPE_HOME in the temp dir, then its exit status.
    func command(_ binary: String, _ args: String, exec: Bool = false, in directory: String? = nil) -> String {
        let env = "LOUPE_HOME=\(q(home.path)) LOUPE_LATENCY_LOG=\(q(home.appendingPathComponent("latency.json").path)) TERM=xterm-256color"
        let run = "env \(env) \(q(binary)) \(args)"
        return "cd \(q(directory ?? Fixtures.repoRoot.path)) && " + (exec ? "exec \(run)" : "\(run); echo LOUPE-EXIT=$?; sleep 120")
    }

    func testSearchEveryViewTaskDimensionResizeAndQuit() throws {
        let (binary, model) = try prerequisites()
        let faq = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("samples/faq.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        // The sample's example queries name the FAQ line (0-based) that answers them.
        let queries = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("samples/faq-queries.jsonl"), encoding: .utf8)
        let first = try XCTUnwrap(queries.split(separator: "\n").first)
        let example = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let query = try XCTUnwrap(example["query"] as? String)
        let expected = faq[try XCTUnwrap(example["expected"] as? Int)]

        try tmux.start(width: 120, height: 40, command: command(binary, "--model \(q(model)) samples/faq.txt"))
        try tmux.waitFor("Query ›", timeout: 60)
        try tmux.waitFor("\(faq.count) documents under none", timeout: 300)   // indexing finished

        // Search: type the query; the expected FAQ line must be among the first five results.
        tmux.type(query)
        let screen = try tmux.waitFor("results for “\(query)”", timeout: 60)
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let resultRows = Array(rows.dropFirst(4).prefix(5))
        let prefix = String(expected.prefix(40))
        XCTAssertTrue(resultRows.contains { $0.contains(prefix) },
                      "“\(prefix)” not in the top 5 for “\(query)”:\n" + resultRows.joined(separator: "\n"))

        // Every view, by number (command mode after Esc) and by F-key.
        tmux.keys("Escape")
        let markers = ["2": "Press i and type texts", "3": "nearest of", "4": "members (most central first)",
                       "5": "threshold 0.90", "6": "points ·", "7": "Matryoshka truncation"]
        for key in ["2", "3", "4", "5", "6", "7"] {
            tmux.keys(key)
            try tmux.waitFor(markers[key]!, timeout: 120)
        }
        tmux.keys("F1")
        try tmux.waitFor("Query › \(query)", timeout: 10)

        // Task picker (MiniLM has no adapters: it says how to get them) and dimensions.
        tmux.keys("t")
        try tmux.waitFor("loupe fetch jinaai/jina-embeddings-v3", timeout: 10)
        tmux.keys("Escape")
        tmux.keys("[")
        try tmux.waitFor("dim 256/384", timeout: 10)
        try tmux.waitFor("results for “\(query)”", timeout: 60)      // the search re-ran at 256
        tmux.keys("]")
        try tmux.waitFor("dim 384/384", timeout: 10)

        // Help from the keymap.
        tmux.keys("?")
        try tmux.waitFor("Keys — Search", timeout: 10)
        tmux.keys("Escape")

        // Resize below the minimum and back.
        tmux.resize(width: 70, height: 20)
        try tmux.waitFor("terminal too small", timeout: 10)
        tmux.resize(width: 120, height: 40)
        try tmux.waitFor("1 Search  2 Matrix  3 Neighbours", timeout: 10)

        // Quit: exit status 0, the alternate screen is gone and the tabs with it.
        tmux.keys("q")
        let after = try tmux.waitFor("LOUPE-EXIT=0", timeout: 20)
        XCTAssertFalse(after.contains("1 Search  2 Matrix"), after)
        XCTAssertEqual(tmux.format("#{alternate_on}"), "0")
        if let latency = try? String(contentsOf: home.appendingPathComponent("latency.json"), encoding: .utf8) {
            print("explorer keypress → screen latency (debug build): \(latency)")
        }
    }

    /// `loupe explore --precision int8`: the explorer indexes and searches at int8, into int8's own cache
    /// entries (a later `loupe index --precision int8` finds them all; an exact one finds none).
    func testExplorerAtInt8SearchesAndFillsItsOwnCacheEntries() throws {
        let (binary, model) = try prerequisites()
        let faq = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("samples/faq.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        try tmux.start(width: 120, height: 40, command: command(binary, "--precision int8 --model \(q(model)) samples/faq.txt"))
        try tmux.waitFor("\(faq.count) documents under none", timeout: 300)
        XCTAssertTrue(tmux.capture().split(separator: "\n").first?.contains("(int8)") == true,
                      "the header names the precision: \(tmux.capture())")
        let query = "How do I get my money back?"
        tmux.type(query)
        try tmux.waitFor("results for “\(query)”", timeout: 60)
        // The first five rows once drawn (a capture can land between the summary line and the rows).
        var rows: [String] = []
        try tmux.waitUntil(timeout: 10, describe: { "the result rows were never drawn: \(rows)" }) {
            rows = Array(tmux.capture().split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropFirst(4).prefix(5))
            return rows.count == 5 && rows.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        XCTAssertTrue(rows.contains { $0.lowercased().contains("refund") }, rows.joined(separator: "\n"))
        tmux.keys("Escape")   // out of the query field, so q quits
        tmux.keys("q")
        try tmux.waitFor("LOUPE-EXIT=0", timeout: 20)

        func index(_ extra: [String]) throws -> [String: Any] {
            let corpus = Fixtures.repoRoot.appendingPathComponent("samples/faq.txt").path
            let run = try LoupeBinary.run(["index", corpus, "--model", model, "--json", "--quiet"] + extra, home: home)
            XCTAssertEqual(run.status, 0, run.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        }
        let int8 = try index(["--precision", "int8"])
        XCTAssertEqual(int8["cached"] as? Int, faq.count, "the explorer's int8 vectors are in the cache")
        XCTAssertEqual(int8["embedded"] as? Int, 0)
        XCTAssertEqual(try index([])["embedded"] as? Int, faq.count, "exact shares none of them")
    }

    func testDuplicatesMarkAndWriteTheDropList() throws {
        let (binary, model) = try prerequisites()
        let corpus = Fixtures.repoRoot.appendingPathComponent("samples/duplicates.jsonl").path
        // Run from the temp dir: the drop list is written to the current directory.
        try tmux.start(width: 120, height: 40, command: command(binary, "--model \(q(model)) \(q(corpus))", in: home.path))
        try tmux.waitFor("documents under none", timeout: 300)
        tmux.keys("Escape", "5")
        try tmux.waitFor("group 1 ·", timeout: 120)      // the sample has exact copies and paraphrases
        tmux.keys("-")
        try tmux.waitFor("threshold 0.89", timeout: 60)
        tmux.keys("Down", "x")
        try tmux.waitFor("1 marked drop", timeout: 10)
        tmux.keys("w")
        let path = home.appendingPathComponent("loupe-drop-list.txt").path
        try tmux.waitFor("wrote 1 document index to drop to \(String(path.prefix(30)))", timeout: 10)   // the path may be cut
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let fields = written.split(separator: "\n").first.map { $0.split(separator: "\t") } ?? []
        XCTAssertEqual(fields.count, 3, "index, source, text: \(written)")
        XCTAssertNotNil(fields.first.flatMap { Int($0) }, written)
        tmux.keys("q")
        try tmux.waitFor("LOUPE-EXIT=0", timeout: 20)
    }

    func testSecondRunUsesTheCacheAndCtrlCRestoresTheTerminal() throws {
        let (binary, model) = try prerequisites()
        let lines = (0..<12).map { "line \($0): the quick brown fox number \($0) jumps over a lazy dog" }
        let corpus = home.appendingPathComponent("tiny.txt")
        try lines.joined(separator: "\n").write(to: corpus, atomically: true, encoding: .utf8)
        for run in 0..<2 {
            try tmux.start(width: 100, height: 30, command: command(binary, "--model \(q(model)) \(q(corpus.path))"))
            let indexed = try tmux.waitFor("12 documents under none", timeout: 120)
            if run == 1 { XCTAssertTrue(indexed.contains("0 embedded, 12 from the cache"), indexed) }
            tmux.keys("C-c")
            let after = try tmux.waitFor("LOUPE-EXIT=0", timeout: 20)
            XCTAssertFalse(after.contains("1 Search"), after)
            XCTAssertEqual(tmux.format("#{alternate_on}"), "0")
            tmux.kill()
        }
    }

    /// The pid of loupe itself: the child of the pane's shell (`command` without exec runs it in the
    /// foreground of `sh`, which then prints `LOUPE-EXIT=<status>` — tmux's own pane_dead_status is
    /// recorded only when its server gets around to reaping the child, which raced in CI).
    private func loupePID() throws -> String {
        let shellPID = tmux.format("#{pane_pid}")
        var pid = ""
        try tmux.waitUntil(timeout: 10, describe: { "no child process under the pane shell \(shellPID)" }) {
            pid = shell("pgrep -P \(shellPID) -n").output.trimmingCharacters(in: .whitespacesAndNewlines)
            return !pid.isEmpty
        }
        return pid
    }

    func testSIGTERMRestoresTheTerminal() throws {
        let (binary, model) = try prerequisites()
        try tmux.start(width: 100, height: 30, command: command(binary, "--model \(q(model)) samples/faq.txt"))
        try tmux.waitFor("Query ›", timeout: 60)
        XCTAssertEqual(tmux.format("#{alternate_on}"), "1")
        XCTAssertEqual(shell("kill -TERM \(try loupePID())").status, 0)
        try tmux.waitFor("LOUPE-EXIT=143", timeout: 20)   // 128 + SIGTERM
        XCTAssertEqual(tmux.format("#{alternate_on}"), "0")
    }

    func testCrashSignalRestoresTheTerminalAndStillCrashes() throws {
        let (binary, model) = try prerequisites()
        try tmux.start(width: 100, height: 30, command: command(binary, "--model \(q(model)) samples/faq.txt"))
        try tmux.waitFor("Query ›", timeout: 60)
        XCTAssertEqual(shell("kill -SEGV \(try loupePID())").status, 0)
        // 139 = 128 + SIGSEGV: the handler restores the terminal and re-raises, so the crash still shows.
        try tmux.waitFor("LOUPE-EXIT=139", timeout: 20)
        XCTAssertEqual(tmux.format("#{alternate_on}"), "0")
    }

    func testBadThemeFailsBeforeTakingTheScreen() throws {
        let (binary, _) = try prerequisites()
        let r = shell("\(q(binary)) explore --theme neon 2>&1")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("theme 'neon' not found"), r.output)
        XCTAssertTrue(r.output.contains("high-contrast"), r.output)
    }
}

/// Single-quotes a string for sh. Scalar by scalar: a quote followed by a combining mark is one Character,
/// which a Character-level replace would not escape.
func q(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    out.append("'")
    for u in s.unicodeScalars {
        if u == "'" { out.append(contentsOf: "'\\''".unicodeScalars) } else { out.append(u) }
    }
    out.append("'")
    return String(out)
}

/// Runs a shell command with popen (not Foundation.Process), returning its output and status.
@discardableResult
func shell(_ command: String) -> (output: String, status: Int32) {
    guard let pipe = popen(command, "r") else { return ("", -1) }
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, pipe)
        if n <= 0 { break }
        output.append(buffer, count: n)
    }
    let status = pclose(pipe)
    return (String(decoding: output, as: UTF8.self), (status >> 8) & 0xFF)
}

/// A private tmux server (`-L name`, no config) with one session.
struct Tmux {
    let server: String
    var base: String { "tmux -L \(q(server)) -f /dev/null" }

    func start(width: Int, height: Int, command: String, remainOnExit: Bool = false) throws {
        // A server killed just before (a previous run of the same test) may still be exiting on this
        // socket; tmux then answers "server exited unexpectedly": retry for a few seconds.
        var r = shell("\(base) new-session -d -s main -x \(width) -y \(height) \(q(command)) 2>&1")
        for _ in 0..<50 where r.status != 0 && r.output.contains("server exited") {
            usleep(100_000)
            r = shell("\(base) new-session -d -s main -x \(width) -y \(height) \(q(command)) 2>&1")
        }
        guard r.status == 0 else { throw TmuxError.failed("new-session: \(r.output)") }
        if remainOnExit { shell("\(base) set-option -t main remain-on-exit on") }
    }

    func capture() -> String { shell("\(base) capture-pane -p -t main 2>/dev/null").output }
    func format(_ f: String) -> String {
        shell("\(base) display-message -p -t main \(q(f)) 2>/dev/null").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func keys(_ names: String...) { shell("\(base) send-keys -t main \(names.map(q).joined(separator: " "))") }
    func type(_ text: String) { shell("\(base) send-keys -t main -l \(q(text))") }
    func resize(width: Int, height: Int) { shell("\(base) resize-window -t main -x \(width) -y \(height)") }
    func kill() { shell("\(base) kill-server 2>/dev/null") }

    /// Polls the screen until it contains `text`; returns that screen.
    @discardableResult
    func waitFor(_ text: String, timeout: Double) throws -> String {
        var last = ""
        try waitUntil(timeout: timeout, describe: { "“\(text)” never appeared; the screen was:\n\(last)" }) {
            last = capture(); return last.contains(text)
        }
        return last
    }

    /// Waits are multiplied by LOUPE_TEST_TIMEOUT_SCALE (`make sanitize` runs sanitized debug binaries,
    /// several times slower to load a model and index).
    static let timeoutScale = ProcessInfo.processInfo.environment["LOUPE_TEST_TIMEOUT_SCALE"].flatMap(Double.init) ?? 1

    func waitUntil(timeout: Double, describe: () -> String = { "condition not met" }, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout * Self.timeoutScale)
        while Date() < deadline {
            if condition() { return }
            usleep(50_000)
        }
        throw TmuxError.timeout(describe())
    }
}

enum TmuxError: Error, CustomStringConvertible {
    case failed(String), timeout(String)
    var description: String {
        switch self { case .failed(let m), .timeout(let m): return m }
    }
}
