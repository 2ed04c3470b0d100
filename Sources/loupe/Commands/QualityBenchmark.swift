import Foundation
import JinaEmbeddings

/// `loupe bench --case quality --precision P`: P's embeddings against exact ones of the same model
/// on the bundled samples (`PrecisionQuality`): cosine to exact (min, mean) and the share of each
/// FAQ query's exact top 10 that P keeps.
enum QualityBenchmark {
    static func run(_ context: BenchContext) throws -> [BenchLine] {
        let candidate = try context.model()
        guard candidate.precision != .exact else {
            throw CLIError("the quality case compares a precision with exact: add --precision bf16 or --precision int8")
        }
        var exactOptions = context.options
        exactOptions.precision = .exact
        exactOptions.lossy = false
        exactOptions.quiet = true
        let exact = try exactOptions.loadModel()
        guard let dir = Resources.existing("samples").first else {
            throw CLIError("the quality case needs the samples/ folder: run from the loupe checkout or set LOUPE_RESOURCES")
        }
        let samples = try QualitySamples.load(directory: dir)
        let (q, seconds) = try measure { try PrecisionQuality.measure(exact: exact, candidate: candidate, samples: samples) }
        let note = String(format: "%@ vs exact on %@: %d texts, cosine min %.5f mean %.6f; FAQ top-%d kept %.3f (worst query %.2f) over %d queries",
                          candidate.precision.rawValue, candidate.name, q.texts, q.minCosine, q.meanCosine, q.k,
                          q.topKOverlap, q.worstOverlap, q.queries)
        return [BenchLine(name: "quality", seconds: seconds,
                          extra: [("min_cosine", Double(q.minCosine)), ("mean_cosine", q.meanCosine),
                                  ("topk_overlap", q.topKOverlap), ("worst_topk_overlap", q.worstOverlap),
                                  ("texts", Double(q.texts)), ("queries", Double(q.queries))],
                          note: note)]
    }
}
