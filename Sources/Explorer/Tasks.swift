import Foundation

/// What each jina-embeddings-v3 task adapter is for (technical report), shown in the task picker
/// and the Adapters view.
public enum TaskCatalog {
    public static func purpose(_ task: String?) -> String {
        switch task {
        case nil: return "no adapter: the model's base weights"
        case "retrieval.query": return "search queries, matched against passages (asymmetric)"
        case "retrieval.passage": return "documents to be searched (asymmetric retrieval)"
        case "separation": return "clustering and reranking: pushes topics apart"
        case "classification": return "features for classifiers and pair classification"
        case "text-matching": return "symmetric similarity: STS, paraphrases, duplicates"
        case let t?: return "adapter \(t)"
        }
    }

    public static func name(_ task: String?) -> String { task ?? "none" }

    /// The dimensions `[` / `]` step through: the Matryoshka list when short, otherwise a ladder
    /// of round sizes (a 384-wide model accepts 1…384, stepping one by one would be useless).
    public static func dimensionLadder(_ model: ModelSummary) -> [Int] {
        let dims = model.dimensions.isEmpty ? [model.hiddenSize] : model.dimensions
        if dims.count <= 12 { return dims }
        let valid = Set(dims)
        var ladder = [8, 16, 32, 64, 128, 256, 384, 512, 768, 1024].filter { valid.contains($0) }
        if let top = dims.max(), !ladder.contains(top) { ladder.append(top) }
        return ladder.sorted()
    }

    /// How to get a model with adapters (shown when the loaded one has none).
    public static let adapterHelp = [
        "This model has no task adapters (LoRA): only the dimension comparison applies.",
        "To compare adapters: loupe fetch jinaai/jina-embeddings-v3",
        "then restart loupe: the copy in the Hugging Face cache is found by itself.",
    ]
}
