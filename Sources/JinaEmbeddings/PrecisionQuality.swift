import Foundation

/// How close a lossy precision's embeddings stay to the exact ones, measured on real text:
/// the cosine between the two vectors of every sample text, and how much of each FAQ query's exact
/// top-k documents the lossy vectors still rank in their top k. `loupe bench --case quality` prints
/// it; the tests hold the int8 / bf16 floors on the real all-MiniLM-L6-v2 weights.
public struct PrecisionQuality: Sendable {
    public var texts: Int
    public var minCosine: Float
    public var meanCosine: Double
    public var queries: Int
    public var k: Int
    /// Mean over the queries of |top-k(exact) ∩ top-k(candidate)| / k.
    public var topKOverlap: Double
    /// The query with the smallest overlap (its share).
    public var worstOverlap: Double

    /// The vectors quality is measured on: every sample text under the model's default task, the
    /// queries under retrieval.query and the documents under retrieval.passage when the model has
    /// them (so both precisions see the same task choice).
    public struct Embeddings: Sendable {
        public var texts: [[Float]], queries: [[Float]], documents: [[Float]]
        public init(model: EmbeddingModel, samples: QualitySamples) throws {
            let textTask = model.defaultTask
            let queryTask = model.tasks.contains("retrieval.query") ? "retrieval.query" : textTask
            let docTask = model.tasks.contains("retrieval.passage") ? "retrieval.passage" : textTask
            texts = try model.embed(texts: samples.texts, task: textTask)
            queries = try model.embed(texts: samples.queries, task: queryTask)
            documents = try model.embed(texts: samples.documents, task: docTask)
        }
    }

    /// Compares a candidate precision's vectors with exact ones of the same checkpoint and samples.
    public static func compare(exact a: Embeddings, candidate b: Embeddings, k: Int = 10) -> PrecisionQuality {
        var minCos: Float = 1, sum = 0.0
        for (x, y) in zip(a.texts, b.texts) {
            let c = dot(x, y)  // both unit vectors
            minCos = min(minCos, c); sum += Double(c)
        }
        var overlap = 0.0, worst = 1.0
        let kk = min(k, a.documents.count)
        for (q0, q1) in zip(a.queries, b.queries) {
            let top0 = Set(topK(q0, a.documents, kk)), top1 = Set(topK(q1, b.documents, kk))
            let share = Double(top0.intersection(top1).count) / Double(max(kk, 1))
            overlap += share; worst = min(worst, share)
        }
        return PrecisionQuality(texts: a.texts.count, minCosine: minCos, meanCosine: sum / Double(max(a.texts.count, 1)),
                                queries: a.queries.count, k: kk, topKOverlap: overlap / Double(max(a.queries.count, 1)),
                                worstOverlap: a.queries.isEmpty ? 0 : worst)
    }

    /// Both models (the same checkpoint at two precisions) on `samples`.
    public static func measure(exact: EmbeddingModel, candidate: EmbeddingModel, samples: QualitySamples,
                               k: Int = 10) throws -> PrecisionQuality {
        guard exact.config.hiddenSize == candidate.config.hiddenSize, exact.tasks == candidate.tasks else {
            throw ModelError.invalidInput("quality: the two models are not the same checkpoint")
        }
        return compare(exact: try Embeddings(model: exact, samples: samples),
                       candidate: try Embeddings(model: candidate, samples: samples), k: k)
    }

    static func dot(_ x: [Float], _ y: [Float]) -> Float {
        var s: Float = 0
        for i in x.indices { s += x[i] * y[i] }
        return s
    }

    /// Indices of the k documents with the largest dot product (ties: lower index first).
    static func topK(_ q: [Float], _ docs: [[Float]], _ k: Int) -> [Int] {
        let scores = docs.map { dot(q, $0) }
        return Array(scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(k))
    }
}

/// The texts the quality figures are measured on: the bundled samples/ folder (every line of
/// faq.txt and topics.txt, every `text` of multilingual.jsonl and duplicates.jsonl, every `query`
/// of faq-queries.jsonl), with the FAQ queries and faq.txt as the retrieval set.
public struct QualitySamples: Sendable {
    public var texts: [String]
    public var queries: [String]
    public var documents: [String]

    public init(texts: [String], queries: [String], documents: [String]) {
        self.texts = texts; self.queries = queries; self.documents = documents
    }

    public static func load(directory: URL) throws -> QualitySamples {
        func lines(_ name: String) throws -> [String] {
            let url = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ModelError.missingFile(url.path + " (the quality samples: run from the loupe checkout or set LOUPE_RESOURCES)")
            }
            return text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        }
        func field(_ name: String, _ key: String) throws -> [String] {
            try lines(name).enumerated().map { i, line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let value = object[key] as? String else {
                    throw ModelError.invalidInput("\(directory.appendingPathComponent(name).path):\(i + 1): no string field '\(key)'")
                }
                return value
            }
        }
        let faq = try lines("faq.txt"), queries = try field("faq-queries.jsonl", "query")
        let texts = faq + (try lines("topics.txt")) + (try field("multilingual.jsonl", "text"))
            + (try field("duplicates.jsonl", "text")) + queries
        return QualitySamples(texts: texts, queries: queries, documents: faq)
    }
}
