import ArgumentParser
import Foundation
import Server

/// `loupe serve`: the Jina / OpenAI / text-embeddings-inference HTTP API over the loaded model
/// (Sources/Server; docs/openapi.yaml). This command only reads options, builds the provider and runs.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve embeddings over HTTP (Jina and OpenAI /v1/embeddings, text-embeddings-inference routes).",
        discussion: """
            Binds 127.0.0.1:8080 unless told otherwise. One log line per request on stderr.
            SIGTERM / SIGINT: stop accepting, finish the requests in flight, exit 0.
            Routes and schemas: GET /openapi.yaml (docs/openapi.yaml).
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Address to listen on (default 127.0.0.1: this machine only).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port (0 = any free port; the chosen one is printed).")
    var port = 8080

    @Option(name: .long, help: "File whose first line is the API key; then every route but /health needs 'Authorization: Bearer <key>'.")
    var apiKeyFile: String?

    @Flag(name: .long, help: "Do not read or fill the embedding cache.")
    var noCache = false

    @Option(name: .long, help: "Largest request body in bytes (default 16 MiB).")
    var maxBodyBytes: Int?

    @Option(name: .long, help: "Most tokens in one request, all inputs together (default 1048576).")
    var maxRequestTokens: Int?

    @Option(name: .long, help: "Most tokens waiting for the encoder before requests get 429 (default 4194304).")
    var maxQueuedTokens: Int?

    @Option(name: .long, help: "Seconds the requests in flight get to finish on SIGTERM / SIGINT (default 30).")
    var shutdownGrace: Double?

    @Option(name: .long, help: "Seconds before an idle connection is closed (default 30).")
    var idleTimeout: Double?

    func run() async throws {
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        guard (0...65535).contains(port) else { throw CLIError("--port must be 0…65535") }
        for (name, value) in [("--max-body-bytes", maxBodyBytes), ("--max-request-tokens", maxRequestTokens),
                              ("--max-queued-tokens", maxQueuedTokens)] where (value ?? 1) < 1 {
            throw CLIError("\(name) must be positive")
        }
        if let v = maxBodyBytes { config.maxBodyBytes = v }
        if let v = maxRequestTokens { config.maxRequestTokens = v }
        if let v = maxQueuedTokens { config.maxQueuedTokens = v }
        if let v = shutdownGrace { config.shutdownGrace = max(0, v) }
        if let v = idleTimeout { config.idleTimeout = max(1, v) }
        if let apiKeyFile { config.apiKey = try cliErrors { try ServerConfiguration.readAPIKey(path: apiKeyFile) } }

        let engine = try await modelOptions.openEngine(cache: noCache ? .off : .standard)
        let provider = EngineProvider(engine: engine)
        let server = EmbeddingServer(provider: provider, configuration: config) { line in
            FileHandle.standardError.write(Data(("loupe serve: " + line + "\n").utf8))
        }
        let host = self.host
        do {
            try await server.run { port in
                FileHandle.standardError.write(Data("loupe serve: listening on http://\(host):\(port) (model \(engine.info.name))\n".utf8))
            }
        } catch {
            throw CLIError("cannot serve on \(host):\(port): \(error)")
        }
    }
}
