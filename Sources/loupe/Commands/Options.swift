import ArgumentParser
import Foundation
import JinaEmbeddings
import Session

/// Model options shared by every command that embeds; they become the session's EngineOptions.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model directory (config.json, model.safetensors, tokenizer.json).")
    var model: String?

    @Option(name: .long, help: "Build random weights with a known shape in memory instead of loading (jina-v3).")
    var synthetic: String?

    @Option(name: .long, help: "Maximum tokens per input (default: the model's).")
    var maxLength: Int?

    @Option(name: .long, help: "How the Linear layers multiply: exact (default), bf16 (about 2x faster) or int8 (faster still); bf16 and int8 are not exact (README: Precision).")
    var precision: Precision?

    @Flag(name: .long, help: "Same as --precision bf16 (also LOUPE_LOSSY=1).")
    var lossy = false

    @Flag(name: .long, help: "Do not prepend the task instruction prefix (retrieval.query / retrieval.passage).")
    var noPrefix = false

    @Flag(name: .long, help: "No progress output on stderr.")
    var quiet = false

    func engineOptions(cache: EngineOptions.CacheChoice = .standard) -> EngineOptions {
        EngineOptions(model: model, synthetic: synthetic, maxLength: maxLength, applyPrefix: !noPrefix,
                      precision: precision, lossy: lossy, cache: cache)
    }

    /// Opens the session's engine: stderr says which model and why (unless --quiet) and any degraded
    /// mode (always). Errors become one-line CLI errors.
    func openEngine(cache: EngineOptions.CacheChoice = .standard) throws -> Engine {
        try cliErrors { try Engine.open(engineOptions(cache: cache), note: noteHandler) }
    }

    /// The model alone (benchmarks), announced the same way.
    func loadModel() throws -> EmbeddingModel {
        try cliErrors { try Engine.loadModel(engineOptions(), note: noteHandler) }
    }

    var noteHandler: @Sendable (SessionNote) -> Void {
        let quiet = self.quiet
        return { note in
            switch note {
            case .notice(let m) where !quiet: CLI.note(m)
            case .warning(let m): CLI.note(m)
            default: break
            }
        }
    }
}

/// Corpus options shared by commands that read a corpus.
struct CorpusOptions: ParsableArguments {
    @Option(name: .long, help: "Field (JSONL) or column (CSV/TSV) holding the text (default: text).")
    var field: String?

    @Option(name: .long, help: "Split long documents into chunks of at most N tokens (late chunking).")
    var chunkTokens: Int?
}

extension Precision: ExpressibleByArgument {}

/// An error printed as one line on stderr with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }

    /// The session answered a question with an answer of another kind (a bug).
    static let unexpectedAnswer = CLIError("internal error: the session answered with the wrong kind of answer (a bug; please report it)")
}
