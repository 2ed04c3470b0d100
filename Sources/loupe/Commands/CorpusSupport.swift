import Foundation
import Corpus
import EmbeddingEngine
import JinaEmbeddings

// PLACEHOLDER — implemented with the service/corpus work (issue 4).
/// What a corpus command needs: the model, the service, the cache-backed indexer, the indexed corpus.
struct CorpusSession {
    var model: EmbeddingModel
    var service: EncoderService
    var indexer: Indexer
    var indexed: IndexedCorpus

    /// Loads the model and the corpus, indexes it under `task` through the cache, with a progress
    /// bar on stderr when it is a terminal (unless --quiet). Errors are CLIError with a useful message.
    static func open(paths: [String], corpus: CorpusOptions, model: ModelOptions, task: String?) async throws -> CorpusSession {
        throw CLIError("corpus commands are not implemented yet")
    }
}

/// Turns a --task value into the task to use: "none" → nil, nil → the command's default for this model.
func resolveTask(_ value: String?, default fallback: String?, model: EmbeddingModel) throws -> String? {
    guard let value else { return model.hasAdapters ? fallback : nil }
    if value == "none" { return nil }
    _ = try model.adapterIndex(for: value)
    return value
}
