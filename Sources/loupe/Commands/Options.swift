import ArgumentParser
import Foundation
import JinaEmbeddings

/// Model options shared by every command that embeds (see ModelLoading.swift for how they resolve).
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model directory (config.json, model.safetensors, tokenizer.json).")
    var model: String?

    @Option(name: .long, help: "Build random weights with a known shape in memory instead of loading (jina-v3).")
    var synthetic: String?

    @Option(name: .long, help: "Maximum tokens per input (default: the model's).")
    var maxLength: Int?

    @Option(name: .long, help: "How the Linear layers multiply: exact (default), bf16 (about 2x faster) or int8 (faster still); bf16 and int8 are not exact.")
    var precision: Precision?

    @Flag(name: .long, help: "Same as --precision bf16 (also LOUPE_LOSSY=1).")
    var lossy = false

    @Flag(name: .long, help: "Do not prepend the task instruction prefix (retrieval.query / retrieval.passage).")
    var noPrefix = false

    @Flag(name: .long, help: "No progress output on stderr.")
    var quiet = false
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
}
