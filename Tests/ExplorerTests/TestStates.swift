import Foundation
import Analysis
import Corpus
@testable import Explorer

/// Hand-made models and corpora for the explorer tests.
enum TestStates {
    static let miniLM = ModelSummary(name: "all-MiniLM-L6-v2", tasks: [], dimensions: Array(1...384),
                                     hiddenSize: 384, defaultTask: nil)
    static let jina = ModelSummary(
        name: "jina-embeddings-v3",
        tasks: ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"],
        dimensions: [32, 64, 128, 256, 512, 768, 1024], hiddenSize: 1024, defaultTask: "text-matching",
        instructions: ["retrieval.query": "Represent the query for retrieving evidence documents: ",
                       "retrieval.passage": "Represent the document for retrieval: "])

    static let faq = [
        "How do I reset my password?",
        "Where can I download my invoices?",
        "How do I change the email address on my account?",
        "Can I pay with a credit card?",
        "How do I delete my account?",
    ]

    static func documents(_ texts: [String]) -> [Document] {
        texts.enumerated().map { Document(index: $0.offset, text: $0.element, source: "faq.txt:\($0.offset + 1)") }
    }

    /// A state as after start-up: model and corpus loaded, the index ready (effects discarded).
    static func ready(model: ModelSummary = miniLM, task: String? = nil, texts: [String] = faq,
                      width: Int = 80, height: Int = 24) -> AppState {
        var s = AppState(width: width, height: height)
        _ = update(&s, .corpusLoaded(name: "faq.txt", documents: documents(texts)))
        _ = update(&s, .modelLoaded(model, task: task, dim: nil))
        _ = update(&s, .indexed(task: task, chunks: texts.count, embedded: texts.count, cached: 0))
        return s
    }

    /// Sends keys one by one, collecting every effect.
    @discardableResult
    static func send(_ s: inout AppState, _ keys: [Key]) -> [Effect] {
        keys.flatMap { update(&s, .key($0)) }
    }

    static func type(_ s: inout AppState, _ text: String) -> [Effect] {
        send(&s, text.map { Key.char($0) })
    }
}
