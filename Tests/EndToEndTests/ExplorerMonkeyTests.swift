import Foundation
import TestSupport
import XCTest

/// The explorer under a monkey: a few thousand seeded random keys (every key the keymap knows and
/// plenty it does not; never a quit key) and random resizes, down to the minimum 80×24 and below,
/// while a corpus is being indexed. It must not crash, must quit with status 0 and restore the terminal.
/// Bounded in time (about 45 s of keys), so `make test` stays fast. LOUPE_MONKEY_SEED replays a run.
final class ExplorerMonkeyTests: XCTestCase {
    /// tmux key names: navigation, editing, function keys, the keymap's control keys.
    static let named = ["Up", "Down", "Left", "Right", "Enter", "Escape", "Tab", "BTab", "BSpace", "DC", "Home", "End",
                        "PPage", "NPage", "IC", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F10", "F12",
                        "C-a", "C-e", "C-w", "C-u", "C-k", "C-l", "C-d", "C-n", "C-p", "M-x", "Space"]
    /// Printable keys: every ASCII character but `q` (quit), plus a few non-ASCII ones.
    static let printable = (0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }.filter { $0 != "q" }
        + ["é", "ß", "日", "本", "🙂", "\u{301}"]
    /// Never sent: q and Ctrl-C (quit), Ctrl-\ and Ctrl-Z (signals, were the terminal not in raw mode).
    static let quitKeys: Set<String> = ["q", "C-c", "C-\\", "C-z"]

    func testRandomKeysAndResizesWhileIndexing() throws {
        guard shell("command -v tmux >/dev/null 2>&1").status == 0 else { throw XCTSkip("tmux is not installed") }
        let binary = try LoupeBinary.url().path
        let model = try Fixtures.defaultModelDirectory()
        XCTAssertTrue(Self.named.allSatisfy { !Self.quitKeys.contains($0) } && Self.printable.allSatisfy { !Self.quitKeys.contains($0) })

        let home = try Fixtures.temporaryDirectory("loupe-monkey")
        let tmux = Tmux(server: "loupe-monkey-\(UUID().uuidString.prefix(8))")
        defer { tmux.kill(); try? FileManager.default.removeItem(at: home) }
        // Enough distinct documents that indexing (debug build) is still running when the keys stop.
        let samples = try ["faq.txt", "topics.txt"].flatMap {
            try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("samples/\($0)"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
        }
        let corpus = home.appendingPathComponent("corpus.txt")
        try (0..<4).flatMap { round in samples.map { "\($0) (\(round))" } }.joined(separator: "\n")
            .write(to: corpus, atomically: true, encoding: .utf8)

        let seed = ProcessInfo.processInfo.environment["LOUPE_MONKEY_SEED"].flatMap(UInt64.init) ?? 14
        print("explorer monkey: seed \(seed) (LOUPE_MONKEY_SEED=\(seed) replays this run)")
        var rng = SeededRNG(seed: seed)
        let env = "LOUPE_HOME=\(q(home.path)) TERM=xterm-256color"
        // From the temp dir: `w` in the Duplicates view writes the drop list to the current directory.
        try tmux.start(width: 120, height: 40, command: "cd \(q(home.path)) && env \(env) \(q(binary)) --model \(q(model.path)) "
                       + "\(q(corpus.path)); echo LOUPE-EXIT=$?; sleep 120")
        try tmux.waitFor("Query ›", timeout: 120)
        XCTAssertTrue(tmux.capture().contains("indexing"), "the keys should arrive while indexing runs")

        var keys = 0, resizes = 0
        let deadline = Date().addingTimeInterval(45)
        while keys < 3000 && Date() < deadline {
            // 10 keys in one tmux call: runs of characters as literal text (-l), named keys between them.
            var commands: [String] = []
            var text = ""
            for _ in 0..<10 {
                if Int.random(in: 0..<100, using: &rng) < 55 {
                    text += Self.printable.randomElement(using: &rng)!
                } else {
                    if !text.isEmpty { commands.append("send-keys -t main -l -- \(q(text))"); text = "" }
                    commands.append("send-keys -t main \(q(Self.named.randomElement(using: &rng)!))")
                }
            }
            if !text.isEmpty { commands.append("send-keys -t main -l -- \(q(text))") }
            let sent = shell("\(tmux.base) " + commands.joined(separator: " \\; ") + " 2>&1")
            XCTAssertEqual(sent.status, 0, "tmux refused \(commands): \(sent.output)")
            keys += 10
            if Int.random(in: 0..<3, using: &rng) == 0 {
                // Down to the minimum and below it (the "terminal too small" screen), and back up.
                let sizes = [(80, 24), (79, 24), (80, 23), (40, 12), (20, 5), (100, 30), (160, 50), (81, 25)]
                let (w, h) = Int.random(in: 0..<3, using: &rng) == 0
                    ? sizes.randomElement(using: &rng)! : (Int.random(in: 10...170, using: &rng), Int.random(in: 3...55, using: &rng))
                tmux.resize(width: w, height: h)
                resizes += 1
            }
            let screen = tmux.capture()
            XCTAssertFalse(screen.contains("LOUPE-EXIT="), "loupe exited after \(keys) keys (seed \(seed)):\n\(screen)")
            if screen.contains("LOUPE-EXIT=") { return }
        }
        print("explorer monkey: \(keys) keys, \(resizes) resizes")
        XCTAssertGreaterThanOrEqual(keys, 1000, "too few keys in the time budget")

        // Leave any field or overlay, then quit with q (Ctrl-C, which quits from anywhere, as a fallback).
        tmux.resize(width: 120, height: 40)
        tmux.keys("Escape", "Escape", "Escape")
        usleep(300_000)
        tmux.keys("q")
        do { try tmux.waitFor("LOUPE-EXIT=", timeout: 10) } catch { tmux.keys("C-c") }
        let after = try tmux.waitFor("LOUPE-EXIT=", timeout: 20)
        XCTAssertTrue(after.contains("LOUPE-EXIT=0"), after)
        XCTAssertEqual(tmux.format("#{alternate_on}"), "0", "the alternate screen was left")
        XCTAssertEqual(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting was left on")
        XCTAssertEqual(tmux.format("#{cursor_flag}"), "1", "the cursor was left hidden")
    }
}
