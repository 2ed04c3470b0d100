import ArgumentParser
import Foundation
import JinaEmbeddings
import RemoteEncoders
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

    @Option(name: .customLong("endpoint"), help: ArgumentHelp("""
        Encode on a remote endpoint instead of here (repeat for several): loupe serve, text-embeddings-inference, \
        an OpenAI-compatible server (vLLM, llama.cpp, Ollama) or the Jina API. --model DIR then only lends its tokenizer.
        """, valueName: "URL"))
    var endpoints: [String] = []

    @Option(name: .long, help: "Endpoint dialect: loupe, jina, openai or tei (default: probe /info, then /v1/models).")
    var endpointProtocol: String?

    @Option(name: .long, help: "Model to ask OpenAI-compatible and Jina endpoints for (default: the one they list).")
    var endpointModel: String?

    @Option(name: .long, help: ArgumentHelp("""
        Environment variable holding the endpoints' API key (default: JINA_API_KEY for the Jina API, OPENAI_API_KEY \
        for OpenAI-compatible servers). Keys are never taken on the command line.
        """, valueName: "NAME"))
    var apiKeyEnv: String?

    func engineOptions(cache: EngineOptions.CacheChoice = .standard) throws -> EngineOptions {
        let kind = try endpointProtocol.map { value in try cliErrors { try EndpointKind.parse(value) } }
        if endpoints.isEmpty, endpointProtocol != nil || endpointModel != nil || apiKeyEnv != nil {
            throw CLIError("--endpoint-protocol, --endpoint-model and --api-key-env need --endpoint URL")
        }
        if !endpoints.isEmpty, precision != nil || lossy {
            throw CLIError("--precision and --lossy choose how this machine multiplies; with --endpoint the endpoints do "
                           + "(loupe serve --precision on them): drop it")
        }
        return EngineOptions(model: model, synthetic: synthetic, maxLength: maxLength, applyPrefix: !noPrefix,
                             precision: precision, lossy: lossy,
                             cache: cache, remote: RemoteOptions(endpoints: endpoints, kind: kind, model: endpointModel,
                                                                 apiKeyVariable: apiKeyEnv))
    }

    /// Opens the session's engine (the model here, or the endpoints): stderr says which model and why
    /// (unless --quiet) and any degraded mode (always). Errors become one-line CLI errors.
    func openEngine(cache: EngineOptions.CacheChoice = .standard) async throws -> Engine {
        let options = try engineOptions(cache: cache)
        return try await cliErrors { try await Engine.open(options, note: noteHandler) }
    }

    /// The model alone (benchmarks), announced the same way.
    func loadModel() throws -> EmbeddingModel {
        guard endpoints.isEmpty else { throw CLIError("--endpoint: loupe bench measures the model on this machine; drop --endpoint") }
        return try cliErrors { try Engine.loadModel(engineOptions(), note: noteHandler) }
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
