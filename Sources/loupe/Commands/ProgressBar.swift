import Foundation
import Corpus
import EmbeddingEngine

/// The CLI progress bar: redraws a job's progress on stderr ten times a second while it runs, then
/// erases itself. Only when stderr is a terminal (so logs and pipes stay clean) and not --quiet.
enum ProgressBar {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// `stream`: a corpus indexed a block at a time; the bar then shows how much of it was read.
    static func run<T: Sendable>(encoder: any EmbeddingEncoder, label: String, stream: StreamProgress? = nil, enabled: Bool,
                                 _ body: () async throws -> T) async throws -> T {
        try await run(enabled: enabled, line: { width in
            let p = encoder.progress
            if let s = stream?.snapshot, s.bytesRead > 0 { return render(s, encoder: p, label: label, width: width) }
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

    /// A streamed corpus: `indexing ▕███▏  12%  240 MB of 2.0 GB read  41,000 documents  850 tok/s`
    /// (without a known size, e.g. standard input, the current block's share).
    static func render(_ s: StreamedIndex, encoder p: EncoderProgress, label: String, width: Int) -> String {
        let known = s.totalBytes > 0
        var tail = known ? "\(bytes(s.bytesRead)) of \(bytes(s.totalBytes)) read  " : ""
        tail += "\(s.documents) documents indexed"
        if p.tokensPerSecond > 0 { tail += "  \(Int(p.tokensPerSecond)) tok/s" }
        return render(fraction: known ? Double(s.bytesRead) / Double(s.totalBytes) : p.fraction, label: label, tail: tail, width: width)
    }

    static func bytes(_ n: Int64) -> String {
        n >= 1_000_000_000 ? String(format: "%.1f GB", Double(n) / 1e9) : String(format: "%.0f MB", Double(n) / 1e6)
    }

    /// `label ▕█████▌    ▏  56%  tail`.
    static func render(fraction raw: Double, label: String, tail: String, width: Int) -> String {
        let fraction = min(1, max(0, raw))
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
