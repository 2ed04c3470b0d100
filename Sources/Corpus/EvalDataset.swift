import Foundation

/// A labelled data set for `loupe eval`, one of three kinds recognised from its layout
/// (see `EvalDatasetLoader`).
public enum EvalDataset: Sendable {
    /// A BEIR folder: corpus, queries, graded relevance judgments.
    case retrieval(RetrievalDataset)
    /// Sentence pairs with a gold similarity score.
    case pairs(PairDataset)
    /// Texts with a class label.
    case labelled(LabelledDataset)

    /// "retrieval", "similarity pairs" or "labelled texts".
    public var kind: String {
        switch self {
        case .retrieval: return "retrieval"
        case .pairs: return "similarity pairs"
        case .labelled: return "labelled texts"
        }
    }

    /// One line for humans: "retrieval: 250 documents, 60 queries (2 without relevant documents)".
    public var summary: String {
        switch self {
        case .retrieval(let r):
            let skipped = r.queries.count - r.evaluatedQueries.count
            return "\(kind): \(r.documents.count) documents, \(r.queries.count) queries"
                + (skipped > 0 ? " (\(skipped) without relevant documents, skipped)" : "")
        case .pairs(let p): return "\(kind): \(p.scores.count) pairs"
        case .labelled(let l): return "\(kind): \(l.texts.count) texts, \(l.labelNames.count) labels"
        }
    }
}

/// A retrieval set in the BEIR layout: documents and queries with ids, and graded judgments.
public struct RetrievalDataset: Sendable {
    /// The corpus in file order; `text` is `title + " " + text` (BEIR's and MTEB's concatenation),
    /// `source` is "…/corpus.jsonl:LINE". A document's index is its position here.
    public var documents: [Document]
    public var documentIDs: [String]
    public var queries: [String]
    public var queryIDs: [String]
    /// Per query (same order): document index → grade from the qrels. A judged corpus-id that is
    /// not in the corpus gets an index ≥ `documents.count`: it can never be retrieved but still
    /// counts as relevant (ideal DCG, recall), as in trec_eval.
    public var judgments: [[Int: Int]]
    /// qrels rows naming a corpus-id missing from corpus.jsonl (kept, see `judgments`).
    public var missingDocumentRows: Int
    /// qrels rows naming a query-id missing from queries.jsonl (ignored).
    public var unknownQueryRows: Int
    /// The folder.
    public var source: String

    public init(documents: [Document], documentIDs: [String], queries: [String], queryIDs: [String],
                judgments: [[Int: Int]], missingDocumentRows: Int = 0, unknownQueryRows: Int = 0, source: String = "") {
        self.documents = documents; self.documentIDs = documentIDs; self.queries = queries; self.queryIDs = queryIDs
        self.judgments = judgments; self.missingDocumentRows = missingDocumentRows
        self.unknownQueryRows = unknownQueryRows; self.source = source
    }

    /// Queries with at least one judgment of grade > 0; the others are skipped by the metrics.
    public var evaluatedQueries: [Int] { queries.indices.filter { judgments[$0].values.contains { $0 > 0 } } }

    /// The corpus as the explorer and the analysis commands load it (document i = `documents[i]`).
    public var corpus: LoadedCorpus { LoadedCorpus(documents: documents, sources: [source]) }

    /// The relevant documents (grade > 0, in the corpus) of the queries whose text is `text`
    /// (compared after trimming white space; several queries with that text: the highest grade of
    /// each document), best grade first, then by index. Empty when no query has that text.
    public func relevantDocuments(forQuery text: String) -> [(document: Int, grade: Int)] {
        let wanted = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var best = [Int: Int]()
        for (q, query) in queries.enumerated() where query == wanted {
            for (doc, grade) in judgments[q] where grade > 0 && doc < documents.count { best[doc] = max(best[doc] ?? 0, grade) }
        }
        return best.map { (document: $0.key, grade: $0.value) }
            .sorted { $0.grade != $1.grade ? $0.grade > $1.grade : $0.document < $1.document }
    }
}

/// Sentence pairs with a gold score (any scale: only its order and linear trend matter).
public struct PairDataset: Sendable {
    public var first: [String]
    public var second: [String]
    public var scores: [Double]
    public var source: String
    public init(first: [String], second: [String], scores: [Double], source: String = "") {
        self.first = first; self.second = second; self.scores = scores; self.source = source
    }
}

/// Texts with class labels; `labels[i]` indexes `labelNames` (names in order of first appearance).
public struct LabelledDataset: Sendable {
    public var texts: [String]
    public var labels: [Int]
    public var labelNames: [String]
    public var source: String
    public init(texts: [String], labels: [Int], labelNames: [String], source: String = "") {
        self.texts = texts; self.labels = labels; self.labelNames = labelNames; self.source = source
    }
}
