import Foundation
import JinaEmbeddings
import Server
import Session

/// `loupe bench --case serve`: builds the provider (no cache: every request must reach the encoder)
/// and the request bodies, runs `ServeBenchmark`, and reports each level against the single-process
/// 32x128 throughput measured in the same run.
enum ServeBenchCase {
    static let levels = [1, 8, 32, 128]
    static let bulkLevels = [1, 8, 32]

    static func run(_ context: BenchContext, seconds: Double, baselineTokensPerSecond: Double) async throws -> [BenchLine] {
        let model = try context.model()
        let provider = EngineProvider(engine: Engine(model: model, maxLength: context.options.maxLength, cache: nil))
        let task = model.hasAdapters ? (model.tasks.contains("retrieval.query") ? "retrieval.query" : model.tasks[0]) : nil
        let taskField = task.map { ",\"task\":\"\($0)\"" } ?? ""
        let canTokenize = model.tokenizer != nil
        // Short inputs: a one-line query (or, without a tokenizer, 16 random token ids).
        let short: @Sendable (Int) -> String = { i in
            canTokenize ? "\"Query \(i): how did printing presses change the spread of ideas in region \(i % 97)?\""
                : "[" + BenchCommand.randomIDs(16, model: model, seed: UInt64(1000 + i)).map(String.init).joined(separator: ",") + "]"
        }
        let shortBody: @Sendable (Int) -> String = { i in "{\"input\":[\(short(i))]\(taskField)}" }
        let bulkBody: @Sendable (Int) -> String = { r in
            "{\"input\":[" + (0..<2000).map { short(1_000_000 + r * 2000 + $0) }.joined(separator: ",") + "]\(taskField)}"
        }
        let results = try await ServeBenchmark.run(provider: provider, levels: levels, seconds: seconds, withBulk: bulkLevels,
                                                   shortBody: shortBody, bulkBody: bulkBody)
        return results.map { r in
            let ratio = baselineTokensPerSecond > 0 ? r.tokensPerSecond / baselineTokensPerSecond : .nan
            var extra: [(String, Double)] = [
                ("clients", Double(r.clients)), ("requests_per_second", Double(r.requests) / r.seconds),
                ("p50_ms", r.p50 * 1000), ("p95_ms", r.p95 * 1000), ("p99_ms", r.p99 * 1000),
                ("of_32x128", ratio), ("failures", Double(r.failures)),
            ]
            if let bulk = r.bulkInputsPerSecond { extra.append(("bulk_rows_per_second", bulk)) }
            var note = String(format: "%.1f req/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %.2f of 32x128",
                              Double(r.requests) / r.seconds, r.p50 * 1000, r.p95 * 1000, r.p99 * 1000, ratio)
            if let bulk = r.bulkInputsPerSecond { note += String(format: ", bulk lane %.0f rows/s", bulk) }
            if r.failures > 0 { note += ", \(r.failures) failed" }
            return BenchLine(name: "serve-" + r.name, seconds: r.seconds, tokensPerSecond: r.tokensPerSecond, extra: extra, note: note)
        }
    }
}
