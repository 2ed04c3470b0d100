import Analysis
import Corpus
import EmbeddingEngine
import Explorer
import Foundation
import JinaEmbeddings

extension EffectRunner {
    /// Answers one analysis request. Returns the result and, when the encoder ran, its latency (ms).
    static func compute(_ request: AnalysisRequest, task: String?, dim: Int, engine: Engine,
                        workspace: Workspace) async throws -> (AnalysisResult, Double?) {
        let texts = workspace.corpus.documents.map(\.text)
        func lens() async throws -> LensVectors {
            guard let v = await workspace.vectors(task: task, dim: dim) else { throw RuntimeError.notIndexed(task) }
            return v
        }
        switch request {
        case .search(let query, let queryTask, let k):
            let start = DispatchTime.now()
            let (q, cached) = try await engine.indexer.embedCounting(texts: [query], task: queryTask,
                                                                     applyPrefix: engine.applyPrefix, priority: .interactive)
            // The status bar shows the encoder's latency: a query served from the cache does not count.
            let ms = cached > 0 ? nil : Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            try Task.checkCancellation()
            // While the corpus is being indexed, search what is embedded so far.
            guard let v = await workspace.searchVectors(task: task, dim: dim) else { throw RuntimeError.notIndexed(task) }
            guard let full = q.first, v.chunks.count > 0 else { return (.search([]), ms) }
            let qv = full.count > v.chunks.dim ? EmbeddingModel.truncate(full, to: v.chunks.dim) : full
            guard qv.count == v.chunks.dim else { return (.search([]), ms) }
            let chunked = v.chunkList.count != texts.count
            let hits = Analysis.search(query: qv, in: v.chunks, k: chunked ? k * 4 : k)
            return (.search(SearchHit.bestChunkPerDocument(hits, chunks: v.chunkList, texts: texts, k: k)), ms)

        case .neighbours(let document, let k):
            let v = try await lens()
            guard document >= 0, document < v.documents.count else { throw RuntimeError.outOfRange(document) }
            return (.neighbours(Analysis.neighbours(of: document, in: v.documents, k: k)), nil)

        case .clusters(let k):
            let v = try await lens()
            return (.clusters(await clustering(v, texts: texts, k: k, task: task, dim: dim, workspace: workspace)), nil)

        case .duplicates(let threshold):
            let v = try await lens()
            let groups = Analysis.duplicates(v.documents, texts: texts, threshold: threshold)
            var similarity: [Int: Float] = [:]
            for g in groups {
                guard let head = g.members.first, head < v.documents.count else { continue }
                let a = v.documents.row(head)
                for m in g.members where m < v.documents.count {
                    similarity[m] = zip(a, v.documents.row(m)).reduce(0) { $0 + $1.0 * $1.1 }
                }
            }
            return (.duplicates(groups, similarity: similarity), nil)

        case .projection(let k):
            let v = try await lens()
            let points = Analysis.project2D(v.documents)
            try Task.checkCancellation()
            let c = await clustering(v, texts: texts, k: k, task: task, dim: dim, workspace: workspace)
            return (.projection(points: points, clusters: c.assignments), nil)

        case .similarity(let items):
            let start = DispatchTime.now()
            let vectors = try await embed(items, task: task, dim: dim, engine: engine)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            return (.similarity(Analysis.similarityMatrix(vectors)), ms)

        case .compare(let items, let a, let b):
            let start = DispatchTime.now()
            let va = try await embed(items, task: a.task, dim: a.dim, engine: engine)
            let vb = try await embed(items, task: b.task, dim: b.dim, engine: engine)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            return (.comparison(Analysis.compare(va, vb)), ms)
        }
    }

    /// Free texts embedded through the cache at interactive priority, truncated to `dim`.
    static func embed(_ texts: [String], task: String?, dim: Int, engine: Engine) async throws -> Vectors {
        let rows = try await engine.indexer.embed(texts: texts, task: task, applyPrefix: engine.applyPrefix,
                                                  priority: .interactive)
        try Task.checkCancellation()
        let truncated = rows.map { $0.count > dim ? EmbeddingModel.truncate($0, to: dim) : $0 }
        guard let d = truncated.first?.count, truncated.allSatisfy({ $0.count == d }) else {
            return Vectors(data: [], count: 0, dim: 0)
        }
        return Vectors(rows: truncated)
    }

    /// k-means (given k) or silhouette-chosen k, remembered per task, dimension and k.
    static func clustering(_ v: LensVectors, texts: [String], k: Int?, task: String?, dim: Int,
                           workspace: Workspace) async -> Clustering {
        if let c = await workspace.clustering(task: task, dim: dim, k: k) { return c }
        let c: Clustering
        if let k {
            c = Analysis.kmeans(v.documents, k: min(k, max(1, v.documents.count)), texts: texts)
        } else {
            c = Analysis.autoKMeans(v.documents, texts: texts, maxK: min(12, max(2, v.documents.count - 1)))
        }
        await workspace.store(c, task: task, dim: dim, k: k)
        return c
    }
}
