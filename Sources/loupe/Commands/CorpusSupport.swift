import Foundation
import Corpus
import EmbeddingEngine
import JinaEmbeddings

/// What a corpus command needs: the model, the service, the cache-backed indexer, the indexed corpus.
struct CorpusSession {
    var model: EmbeddingModel
    var service: EncoderService
    var indexer: Indexer
    var indexed: IndexedCorpus
    /// The task the corpus was embedded under (nil = none) and whether the instruction prefix was used.
    var task: String? = nil
    var applyPrefix: Bool = true

    /// How the task of a corpus session is given.
    enum TaskChoice {
        /// Already resolved: nil (or "none") = no task.
        case resolved(String?)
        /// The raw `--task` value, resolved against the model once loaded: nil → `default` when the model
        /// has that task, else the model's default task; "none" → no task. Models without adapters: none.
        case option(String?, default: String?)
    }

    /// Loads the model and the corpus, indexes it under `task` through the cache, with a progress
    /// bar on stderr when it is a terminal (unless --quiet). Errors are CLIError with a useful message.
    ///
    /// `task` is the resolved task (nil or "none" = no task), e.g. from `resolveTask(_:default:model:)`.
    static func open(paths: [String], corpus: CorpusOptions, model: ModelOptions, task: String?) async throws -> CorpusSession {
        try await open(paths: paths, corpus: corpus, model: model, loadedModel: nil, task: .resolved(task))
    }

    /// The full form. Pass `loadedModel` when the command has loaded the model already (it is not loaded
    /// twice); otherwise it is loaded from `options`.
    static func open(paths: [String], corpus: CorpusOptions, model options: ModelOptions, loadedModel: EmbeddingModel?,
                     task choice: TaskChoice) async throws -> CorpusSession {
        let loaded = try loadCorpus(paths: paths, options: corpus)
        let model = try loadedModel ?? options.loadModel()
        let task: String?
        switch choice {
        case .resolved(let t): task = t == "none" ? nil : t
        case .option(let value, let fallback):
            // A command default the model does not have (a BERT-style model, a jina variant) → the model's own.
            let usable = fallback.flatMap { model.tasks.contains($0) ? $0 : nil } ?? model.defaultTask
            task = try cliErrors { try resolveTask(value, default: usable, model: model) }
        }
        let (service, indexer) = makeIndexer(model: model, options: options)
        let indexed = try await cliErrors {
            try await ProgressBar.run(service: service, label: "indexing", enabled: !options.quiet && ProgressBar.stderrIsTerminal) {
                try await indexer.index(loaded, task: task, applyPrefix: !options.noPrefix, chunkTokens: corpus.chunkTokens)
            }
        }
        return CorpusSession(model: model, service: service, indexer: indexer, indexed: indexed,
                             task: task, applyPrefix: !options.noPrefix)
    }

    /// Loads the corpus files; prints the loading notes (repaired UTF-8) on stderr.
    static func loadCorpus(paths: [String], options: CorpusOptions) throws -> LoadedCorpus {
        let loaded = try cliErrors { try CorpusLoader.load(paths: paths, field: options.field) }
        if loaded.repairedSequences > 0 {
            note("replaced \(loaded.repairedSequences) invalid UTF-8 sequence\(loaded.repairedSequences == 1 ? "" : "s") "
                 + "with U+FFFD while reading \(loaded.sources.joined(separator: ", "))")
        }
        return loaded
    }

    /// The service and a cache-backed indexer for a loaded model: what `loupe embed` and the explorer use
    /// (`indexer.embed(texts:task:applyPrefix:priority:)` reads and fills the cache). A cache that cannot
    /// be opened is reported once and the indexer works without it.
    static func makeIndexer(model: EmbeddingModel, options: ModelOptions) -> (EncoderService, Indexer) {
        let service = EncoderService(model: model, maxLength: options.maxLength)
        return (service, Indexer(service: service, cache: openCache()))
    }

    /// The cache under `${LOUPE_HOME:-~/.cache/loupe}`, or nil (with a note) when it is unusable.
    static func openCache() -> EmbeddingCache? {
        do {
            return try EmbeddingCache.open(directory: EmbeddingCache.defaultDirectory())
        } catch {
            note("\(error); continuing without the cache")
            return nil
        }
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data(("loupe: " + message + "\n").utf8))
    }
}

/// Runs `body`, turning library errors into one-line CLI errors.
func cliErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CLIError { throw error } catch let error as CancellationError {
        throw error
    } catch {
        throw CLIError("\(error)")
    }
}

func cliErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as CLIError { throw error } catch let error as CancellationError {
        throw error
    } catch {
        throw CLIError("\(error)")
    }
}

/// Turns a --task value into the task to use: "none" → nil, nil → the command's default for this model.
func resolveTask(_ value: String?, default fallback: String?, model: EmbeddingModel) throws -> String? {
    guard let value else { return model.hasAdapters ? fallback : nil }
    if value == "none" { return nil }
    _ = try model.adapterIndex(for: value)
    return value
}
