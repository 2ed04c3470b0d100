import ArgumentParser
import Corpus
import Explorer
import ExplorerRuntime
import Foundation
import Terminal

/// `loupe` / `loupe explore`: the terminal explorer.
struct ExploreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Open the terminal explorer (search, matrix, neighbours, clusters, duplicates, map, adapters).",
        discussion: """
            With no corpus it opens the bundled sample samples/faq.txt. Press ? inside for the keys.
            --eval DATASET (or a BEIR folder as the corpus) adds the evaluation grid of `loupe eval` to the
            Adapters view (m switches to it) and marks a retrieval query's relevant documents in Search.
            Themes: dark (default), light, high-contrast, mono; NO_COLOR forces mono.
            LOUPE_LATENCY_LOG=FILE appends the keypress→screen latency summary as JSON on exit.
            """)

    @Argument(help: "Corpus files or directories (.txt, .jsonl, .csv, .tsv, or a directory of .txt/.md).")
    var corpus: [String] = []

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var corpusOptions: CorpusOptions

    @Option(name: .long, help: "Task adapter to start with (jina models; 'none' for the base weights).")
    var task: String?

    @Option(name: .long, help: "Embedding dimension to start with (Matryoshka truncation).")
    var dim: Int?

    @Option(name: .long, help: "Colour theme: dark, light, high-contrast, mono (or a file name in themes/).")
    var theme: String?

    @Option(name: .long, help: "A labelled data set (as for loupe eval) to evaluate the model on in the Adapters view.")
    var eval: String?

    func run() async throws {
        // Everything that can fail on bad input fails here, before the screen is taken over.
        let theme: Theme
        do { theme = try Theme.load(name: self.theme, directories: Resources.existing("themes")) }
        catch { throw CLIError("\(error)") }
        if corpus.contains("-") {
            throw CLIError("the explorer reads keys from the terminal, so it cannot take the corpus on stdin; "
                           + "save it to a file and pass its path")
        }
        if let n = corpusOptions.chunkTokens, n < 1 { throw CLIError("--chunk-tokens must be at least 1") }
        if let n = modelOptions.maxLength, n < 2 { throw CLIError("--max-length must be at least 2") }
        let opened = try cliErrors {
            try ExplorerCorpus.open(paths: corpus, field: corpusOptions.field, eval: eval, defaultSample: Resources.defaultSample)
        }
        let loaded = opened.corpus
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw CLIError("\(TerminalError.notATerminal)") }

        let queue = MessageQueue()
        let runner = EffectRunner(queue: queue)
        queue.post(.corpusLoaded(name: opened.name, documents: loaded.documents))
        ExplorerStartup.start(options: try modelOptions.engineOptions(), corpus: loaded, chunkTokens: corpusOptions.chunkTokens,
                              task: task, dim: dim, evaluation: opened.evaluation, evaluationName: opened.evaluationName,
                              runner: runner)

        let loop = ExplorerLoop(theme: theme, queue: queue, runner: runner)
        let outcome: Result<Void, Error> = await withCheckedContinuation { continuation in
            // A dedicated thread: the loop blocks in the terminal read, which must not hold one of
            // the few cooperative threads the encoder's tasks need.
            let thread = Thread { continuation.resume(returning: Result { try loop.run() }) }
            thread.stackSize = 8 << 20
            thread.name = "loupe-ui"
            thread.start()
        }
        if let log = ProcessInfo.processInfo.environment["LOUPE_LATENCY_LOG"], !log.isEmpty {
            appendLine(loop.latency.json, to: log)
        }
        try outcome.get()
        if let fatal = runner.fatal { throw CLIError(fatal) }
    }

    private func appendLine(_ line: String, to path: String) {
        let data = Data((line + "\n").utf8)
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile(); handle.write(data); try? handle.close()
        } else {
            _ = FileManager.default.createFile(atPath: path, contents: data)
        }
    }
}
