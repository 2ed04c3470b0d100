import Analysis
import Foundation

/// Benchmark cases of the analysis module (`loupe bench` runs them by name).
///
/// Data are synthetic and seeded: random unit vectors (search), or unit vectors around planted
/// centres (dedup: 1% near-copies at cosine ≈ 0.99; cluster: 20 centres). `seconds` is wall clock; `cpu_seconds` (all threads) shows how much of it was
/// spent computing rather than waiting for a shared CPU.
///   search-10k, search-100k   1024 dims, exact top-10; `seconds` = median time per query (21 queries)
///   dedup-10k, dedup-100k     256 dims, threshold 0.9, all pairs in row blocks
///   cluster-10k, cluster-100k 256 dims, k-means++ with k = 20 (labels from short synthetic texts)
enum AnalysisBenchmark {
    static let cases = ["search-10k", "search-100k", "dedup-10k", "dedup-100k", "cluster-10k", "cluster-100k"]

    /// Runs one case; nil when `caseName` is not an analysis case.
    static func run(_ caseName: String) throws -> BenchLine? {
        switch caseName {
        case "search-10k": return search(count: 10_000, name: caseName)
        case "search-100k": return search(count: 100_000, name: caseName)
        case "dedup-10k": return dedup(count: 10_000, name: caseName)
        case "dedup-100k": return dedup(count: 100_000, name: caseName)
        case "cluster-10k": return cluster(count: 10_000, name: caseName)
        case "cluster-100k": return cluster(count: 100_000, name: caseName)
        default: return nil
        }
    }

    static func search(count: Int, name: String) -> BenchLine {
        var rng = BenchRNG(seed: 1)
        let corpus = randomUnitRows(count, dim: 1024, rng: &rng)
        var times = [Double]()
        let cpu0 = cpuSeconds()
        for _ in 0..<21 {
            let q = randomUnitRows(1, dim: 1024, rng: &rng).data
            let (_, t) = measure { Analysis.search(query: q, in: corpus, k: 10) }
            times.append(t)
        }
        let cpu = (cpuSeconds() - cpu0) / 21
        times.sort()
        let median = times[times.count / 2]
        return BenchLine(name: name, seconds: median, peakRSSBytes: peakRSSBytes(),
                         extra: [("ms_per_query", median * 1000), ("queries_per_second", 1 / median), ("cpu_seconds", cpu),
                                 ("items", Double(count)), ("dim", 1024)],
                         note: "exact top-10 over \(count) x 1024 random unit vectors, median of 21 queries")
    }

    static func dedup(count: Int, name: String) -> BenchLine {
        var rng = BenchRNG(seed: 2)
        var v = randomUnitRows(count, dim: 256, rng: &rng)
        // Plant 1% near-copies of earlier rows (cosine ≈ 0.99).
        let planted = count / 100
        for p in 0..<planted {
            let src = p * 37 % (count / 2), dst = count / 2 + p * 41 % (count / 2)
            var row = (0..<256).map { v.data[src * 256 + $0] + 0.006 * rng.gaussian() }
            let n = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            row = row.map { $0 / n }
            v.data.replaceSubrange(dst * 256 ..< (dst + 1) * 256, with: row)
        }
        let cpu0 = cpuSeconds()
        let (groups, t) = measure { Analysis.duplicates(v, texts: [], threshold: 0.9) }
        let cpu = cpuSeconds() - cpu0
        let pairs = Double(count) * Double(count - 1) / 2
        return BenchLine(name: name, seconds: t, peakRSSBytes: peakRSSBytes(),
                         extra: [("items", Double(count)), ("dim", 256), ("groups", Double(groups.count)), ("cpu_seconds", cpu),
                                 ("pairs_per_second", pairs / t)],
                         note: "all pairs >= 0.9 over \(count) x 256 with \(planted) planted near-copies")
    }

    static func cluster(count: Int, name: String) -> BenchLine {
        var rng = BenchRNG(seed: 3)
        let centres = randomUnitRows(20, dim: 256, rng: &rng)
        var data = [Float](repeating: 0, count: count * 256)
        var texts = [String]()
        texts.reserveCapacity(count)
        for i in 0..<count {
            let c = Int(rng.next() % 20)
            var n: Float = 0
            for j in 0..<256 { let x = centres.data[c * 256 + j] + 0.08 * rng.gaussian(); data[i * 256 + j] = x; n += x * x }
            let s = 1 / n.squareRoot()
            for j in 0..<256 { data[i * 256 + j] *= s }
            texts.append("topic\(c) word\(rng.next() % 50) item \(i)")
        }
        let v = Vectors(data: data, count: count, dim: 256)
        let cpu0 = cpuSeconds()
        let (result, t) = measure { Analysis.kmeans(v, k: 20, texts: texts, seed: 42) }
        let cpu = cpuSeconds() - cpu0
        return BenchLine(name: name, seconds: t, peakRSSBytes: peakRSSBytes(),
                         extra: [("items", Double(count)), ("dim", 256), ("k", Double(result.k)), ("cpu_seconds", cpu)],
                         note: "k-means++ k=20 over \(count) x 256 (20 planted centres), labels included")
    }

    static func randomUnitRows(_ count: Int, dim: Int, rng: inout BenchRNG) -> Vectors {
        var data = [Float](repeating: 0, count: count * dim)
        for i in 0..<count {
            var n: Float = 0
            for j in 0..<dim { let x = rng.gaussian(); data[i * dim + j] = x; n += x * x }
            let s = 1 / n.squareRoot()
            for j in 0..<dim { data[i * dim + j] *= s }
        }
        return Vectors(data: data, count: count, dim: dim)
    }
}

/// User + system CPU time of this process (all threads), to tell contention from slowness:
/// on a shared machine wall-clock time can be several times the CPU time.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

/// Seeded generator for benchmark data (Analysis' SplitMix64), with a cheap approximate Gaussian.
struct BenchRNG {
    private var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    /// Sum of 4 uniforms, centred and scaled to unit variance (close enough to normal for test data).
    mutating func gaussian() -> Float {
        let r = next()
        var s: Float = 0
        for k in 0..<4 { s += Float((r >> (16 * UInt64(k))) & 0xFFFF) / 65535 }
        return (s - 2) * 1.7320508
    }
}
