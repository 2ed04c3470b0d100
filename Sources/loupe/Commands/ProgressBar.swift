import Foundation
import EmbeddingEngine

/// The CLI progress bar: redraws a job's progress on stderr ten times a second while it runs, then
/// erases itself. Only when stderr is a terminal (so logs and pipes stay clean) and not --quiet.
enum ProgressBar {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func run<T: Sendable>(encoder: any EmbeddingEncoder, label: String, enabled: Bool,
                                 _ body: () async throws -> T) async throws -> T {
        try await run(enabled: enabled, line: { width in
            let p = encoder.progress
            return p.textsTotal > 0 ? render(p, label: label, width: width) : nil
        }, body)
    }

    /// Draws `line(terminal width)` (nothing while it is nil) until `body` returns.
    static func run<T: Sendable>(enabled: Bool, line: @escaping @Sendable (Int) -> String?,
                                 _ body: () async throws -> T) async throws -> T {
        guard enabled else { return try await body() }
        let drawer = Task.detached {
            var drawn = false
            while !Task.isCancelled {
                if let text = line(terminalWidth()) {
                    write("\r" + text + "\u{1B}[K")
                    drawn = true
                }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
            if drawn { write("\r\u{1B}[K") }
        }
        defer { drawer.cancel() }
        let result = try await body()
        drawer.cancel()
        _ = await drawer.value
        return result
    }

    /// `indexing ▕█████▌    ▏  56%  1,234/2,200 texts  850 tok/s  ETA 0:12`, fitted to `width`.
    static func render(_ p: EncoderProgress, label: String, width: Int) -> String {
        var tail = "\(p.textsDone)/\(p.textsTotal) texts"
        if p.tokensPerSecond > 0 { tail += "  \(Int(p.tokensPerSecond)) tok/s" }
        if let eta = p.eta, p.isActive { tail += "  ETA \(duration(eta))" }
        return render(fraction: p.fraction, label: label, tail: tail, width: width)
    }

    /// `label ▕█████▌    ▏  56%  tail`.
    static func render(fraction: Double, label: String, tail: String, width: Int) -> String {
        let fraction = min(1, max(0, fraction))
        let percent = String(format: "%3d%%", Int((fraction * 100).rounded(.down)))
        // The bar's width depends on the terminal only (not on the tail), so it does not jump around.
        let barWidth = max(10, min(40, width - label.count - 60))
        let cells = fraction * Double(barWidth)
        let full = Int(cells)
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let partial = full < barWidth ? partials[Int((cells - Double(full)) * 8)] : ""
        let bar = String(repeating: "█", count: full) + partial
            + String(repeating: " ", count: max(0, barWidth - full - (partial.isEmpty ? 0 : 1)))
        return "\(label) ▕\(bar)▏ \(percent)  \(tail)"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
