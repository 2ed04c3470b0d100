import Analysis
import Corpus
import Foundation

/// An answer and, when the encoder ran for it (a query or free texts not in the cache), how long that took.
public struct Answered: Sendable {
    public var answer: Answer
    public var encoderMilliseconds: Double?
}

extension Workspace {
    /// Answers `question` about this corpus (or about free texts) at `task` and `dim`. Corpus questions
    /// need the corpus indexed under `task` (search also works on the part embedded so far). The heavy
    /// work runs on the caller's task, outside the actor; cancellation is honoured between steps.
    public nonisolated func answer(_ question: Question, task: String?, dim: Int) async throws -> Answered {
        let lens = Lens(task: task, dim: dim)
        switch question {
        case .search(let query, let queryTask, let k):
            let start = DispatchTime.now()
            let (q, encoderRan) = try await engine.embed([query], task: queryTask, dim: dim)
            let ms = encoderRan ? Self.milliseconds(since: start) : nil
            guard let v = await searchVectors(lens) else { throw SessionError.notIndexed(task: task) }
            return Answered(answer: .search(Self.search(Array(q.row(0)), in: v, texts: texts, k: k)),
                            encoderMilliseconds: ms)

        case .neighbours(let document, let k):
            let v = try await indexedVectors(lens)
            guard document >= 0, document < v.documents.count else {
                throw SessionError.documentOutOfRange(document, count: corpus.documents.count)
            }
            let hits = Analysis.neighbours(of: document, in: v.documents, k: k)
            return Answered(answer: .neighbours(hits.map { DocumentHit(document: $0.index, score: $0.score) }))

        case .clusters(let spec):
            return Answered(answer: .clusters(try await clustering(spec, lens: lens)))

        case .duplicates(let threshold):
            let v = try await indexedVectors(lens)
            let groups = Analysis.duplicates(v.documents, texts: texts, threshold: threshold)
            return Answered(answer: .duplicates(DuplicatesAnswer(groups: groups,
                                                                 similarityToFirst: Self.similarityToFirst(groups, v.documents))))

        case .projection(let spec):
            let v = try await indexedVectors(lens)
            let points = Analysis.project2D(v.documents)
            try Task.checkCancellation()
            let c = try await clustering(spec, lens: lens)
            return Answered(answer: .projection(points: points, clusters: c.assignments))

        case .similarity(let items):
            let start = DispatchTime.now()
            let (vectors, encoderRan) = try await engine.embed(items, task: task, dim: dim)
            return Answered(answer: .similarity(Analysis.similarityMatrix(vectors)),
                            encoderMilliseconds: encoderRan ? Self.milliseconds(since: start) : nil)

        case .compare(let items, let a, let b):
            return try await engine.compare(items, a, b)

        case .evaluation:
            if let report = await storedEvaluation() { return Answered(answer: .evaluation(report)) }
            guard let dataset = evaluation else {
                throw SessionError.options("no evaluation data set: open the explorer with --eval DATASET "
                                           + "(a BEIR folder, or a file of pairs or labelled texts)")
            }
            let (report, _) = try await engine.evaluate(dataset, plan: try engine.evalPlan())
            await store(report)
            return Answered(answer: .evaluation(report))
        }
    }

    // MARK: -

    /// The finished index under the lens (document questions need the whole corpus).
    func indexedVectors(_ lens: Lens) async throws -> CorpusVectors {
        guard let v = await vectors(lens) else { throw SessionError.notIndexed(task: lens.task) }
        return v
    }

    /// Document-level search: the best chunk of each document answers for it.
    static func search(_ query: [Float], in v: CorpusVectors, texts: [String], k: Int) -> [DocumentHit] {
        guard query.count == v.chunks.dim else { return [] }
        return Analysis.searchDocuments(query: query, chunks: v.chunks, chunkDocuments: v.chunkDocuments,
                                        documentCount: texts.count, k: k).map { hit in
            let span = v.chunkSpans[hit.chunk]
            let whole = span == 0..<texts[hit.document].unicodeScalars.count
            return DocumentHit(document: hit.document, score: hit.score, span: whole ? nil : span)
        }
    }

    /// k-means (given k, or k by silhouette) or average-link, remembered per lens and spec.
    func clustering(_ spec: ClusterSpec, lens: Lens) async throws -> Clustering {
        let key = ClusterKey(lens: lens, spec: spec)
        if let c = await clustering(key) { return c }
        let v = try await indexedVectors(lens)
        let n = v.documents.count
        if let k = spec.k, k > n { throw SessionError.options("k = \(k) is more than the \(n) documents of the corpus") }
        let c: Clustering
        switch (spec.method, spec.k) {
        case (.agglomerative, let k?):
            guard n <= ClusterSpec.agglomerativeLimit else {
                throw SessionError.options("agglomerative clustering is limited to \(ClusterSpec.agglomerativeLimit) "
                                           + "documents (this corpus has \(n)); use k-means")
            }
            c = Analysis.agglomerative(v.documents, k: k, texts: texts)
        case (.agglomerative, nil):
            throw SessionError.options("agglomerative clustering needs k")
        case (.kmeans, let k?):
            c = Analysis.kmeans(v.documents, k: k, texts: texts, seed: spec.seed)
        case (.kmeans, nil):
            c = Analysis.autoKMeans(v.documents, texts: texts, maxK: spec.maxK, seed: spec.seed)
        }
        try Task.checkCancellation()
        await store(c, key)
        return c
    }

    static func similarityToFirst(_ groups: [DuplicateGroup], _ documents: Vectors) -> [Int: Float] {
        var out: [Int: Float] = [:]
        for g in groups {
            guard let head = g.members.first else { continue }
            let a = documents.row(head)
            for m in g.members { out[m] = zip(a, documents.row(m)).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        return out
    }

    static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }
}

extension Engine {
    /// The same texts under two lenses (free texts: no corpus needed).
    public func compare(_ items: [String], _ a: Lens, _ b: Lens) async throws -> Answered {
        let start = DispatchTime.now()
        let va: Vectors, vb: Vectors, ran: Bool
        if a.task == b.task {
            // One embedding, two truncations (a dimension comparison).
            let (full, ranFull) = try await embed(items, task: a.task)
            va = Analysis.truncate(full, to: a.dim); vb = Analysis.truncate(full, to: b.dim); ran = ranFull
        } else {
            let (x, ranA) = try await embed(items, task: a.task, dim: a.dim)
            let (y, ranB) = try await embed(items, task: b.task, dim: b.dim)
            va = x; vb = y; ran = ranA || ranB
        }
        return Answered(answer: .comparison(Analysis.compare(va, vb)),
                        encoderMilliseconds: ran ? Workspace.milliseconds(since: start) : nil)
    }
}
