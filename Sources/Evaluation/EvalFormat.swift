import Foundation

/// How metrics and memory sizes read in tables: shared by `loupe eval` and the explorer.
public enum EvalFormat {
    /// "ndcg@10" → "nDCG@10", "knn_accuracy" → "5-NN accuracy".
    public static func title(_ metric: String) -> String {
        let names = ["ndcg": "nDCG", "mrr": "MRR", "map": "MAP", "recall": "recall", "spearman": "Spearman",
                     "pearson": "Pearson", "v_measure": "V-measure", "knn_accuracy": "5-NN accuracy"]
        let parts = metric.split(separator: "@", maxSplits: 1).map(String.init)
        return (names[parts[0]] ?? parts[0]) + (parts.count > 1 ? "@" + parts[1] : "")
    }

    /// "4 GB", "512 MB", "96 kB" (a trailing space keeps right-aligned columns off the edge).
    public static func memory(_ bytes: Int) -> String {
        let b = Double(bytes)
        return b >= 1e9 ? String(format: "%.1f GB ", b / 1e9) : b >= 1e6 ? String(format: "%.0f MB ", b / 1e6)
            : String(format: "%.0f kB ", b / 1e3)
    }

    /// Three decimals, or "–" for a cell that was not measured.
    public static func value(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
}
