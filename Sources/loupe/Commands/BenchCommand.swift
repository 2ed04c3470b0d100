import ArgumentParser
import Foundation
import Session
import JinaEmbeddings
import Numerics

/// `loupe bench`: the performance contract of issue 7. One line per case (`--json`: one JSON
/// object per line with case, seconds, tokens_per_second, gflops, sgemm_gflops, efficiency,
/// peak_rss_bytes).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure embedding speed (cases 32x128, 8x512, 1x2048, 1x8192, query, load, serve, and registered extras).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("case"), help: "Case to run (repeatable; any ROWSxLENGTH batch works too). Default: load, query, 32x128, 8x512, 1x2048.")
    var cases: [String] = []

    @Option(name: .long, help: "Task adapter for the batch cases (default retrieval.passage; `query` uses retrieval.query).")
    var task: String?

    @Flag(name: .long, help: "One JSON object per case per line.")
    var json = false

    @Option(name: .long, help: "Seconds per client level of the serve case (default 10).")
    var duration: Double = 10

    @Option(name: .customLong("repeat"),
            help: "Runs of each batch case (default 1), each between its own peak measurements; the line is the run with the median share of the peak, and names every run's share.")
    var repeats: Int = 1

    static let engineCases = ["load", "query", "32x128", "8x512", "1x2048", "1x8192", "serve"]
    static let defaultCases = ["load", "query", "32x128", "8x512", "1x2048"]

    func run() async throws {
        guard (1...100).contains(repeats) else { throw CLIError("--repeat takes 1 to 100 runs, not \(repeats)") }
        let names = cases.isEmpty ? Self.defaultCases : cases
        // Besides the named cases, any ROWSxLENGTH batch (e.g. 4x256) runs as a batch case.
        for n in names where !Self.engineCases.contains(n) && BenchRegistry.extra[n] == nil && !Self.isBatchCase(n) {
            throw CLIError("unknown bench case '\(n)'; known: \((Self.engineCases + BenchRegistry.extra.keys.sorted()).joined(separator: ", "))")
        }
        let context = BenchContext(options: modelOptions)
        let sgemm = Self.measureSgemm()
        let fmaPeak = Self.fmaPeak()
        if !json && fmaPeak > 0 {
            print(String(format: "fp32 fma peak %.0f GFLOP/s on %d threads: the ceiling of exact fp32 arithmetic here (each case: its share of the higher of the peaks measured just before and after it)", fmaPeak,
                         FastKernels.threads))
            let c = FastKernels.shapeCalibration
            print("cpu family \(FastKernels.cpuFamily); exact kernels' tile shape: \(FastKernels.defaultGemmShape.rawValue)"
                  + (c.registersGFLOPS > 0 ? String(format: " (calibrated: registers %.0f, panels %.0f GFLOP/s)", c.registersGFLOPS,
                                                    c.panelsGFLOPS) : " (from LOUPE_GEMM_SHAPE)"))
        }
        var failed = false
        for name in names {
            var lines: [BenchLine]
            do {
                if let extra = BenchRegistry.extra[name] {
                    lines = try extra(context)
                } else if name == "serve" {
                    // The server's throughput against the single-process 32x128, measured here in the same run.
                    let baseline = try runEngineCase("32x128", context)
                    lines = [baseline] + (try await ServeBenchCase.run(context, seconds: duration,
                                                                       baselineTokensPerSecond: baseline.tokensPerSecond ?? 0))
                } else {
                    lines = [try runEngineCase(name, context)]
                }
            } catch {
                lines = [BenchLine(name: name, seconds: .nan, note: "failed: \(error)")]
                failed = true
            }
            for var line in lines {
                line.sgemmGflops = line.sgemmGflops ?? sgemm
                if Self.engineCases.contains(name) || Self.isBatchCase(name) {
                    line.fmaPeakGflops = line.fmaPeakGflops ?? fmaPeak
                    line.extra += [("cpu_family", Double(FastKernels.cpuFamily)),
                                   ("widened_panels", FastKernels.defaultGemmShape == .widenedPanels ? 1 : 0)]
                }
                line.peakRSSBytes = line.peakRSSBytes ?? peakRSSBytes()
                print(json ? line.json() : Self.human(line))
            }
        }
        if failed { throw ExitCode.failure }
    }

    func runEngineCase(_ name: String, _ context: BenchContext) throws -> BenchLine {
        if name == "load" {
            let (model, seconds) = try measure { () throws -> EmbeddingModel in
                let m = try context.model()
                _ = try m.embed(ids: [Self.randomIDs(16, model: m, seed: 1)], tasks: [try benchTask(m)])
                return m
            }
            return BenchLine(name: name, seconds: seconds, note: model.name + Self.precisionNote(model))
        }
        let model = try context.model()
        if name == "query" {
            let task = model.hasAdapters ? (model.tasks.contains("retrieval.query") ? "retrieval.query" : model.tasks[0]) : nil
            let ids: [Int32]
            if model.tokenizer != nil {
                ids = try model.tokenize("How does the printing press change the spread of ideas in Europe?", task: task).ids
            } else {
                // No tokenizer (synthetic): 16 text tokens + a 12-token prefix + <s> </s>.
                ids = Self.randomIDs(16 + (task == "retrieval.query" ? 12 : 0) + 2, model: model, seed: 2)
            }
            let peakBefore = Self.fmaPeak()
            _ = try model.embed(ids: [ids], tasks: [task])  // warm-up
            var runs: [(seconds: Double, counters: ProcessCounters)] = []
            for _ in 0..<5 {
                let before = ProcessCounters.now()
                let t = try measure { try model.embed(ids: [ids], tasks: [task]) }.1
                runs.append((t, ProcessCounters.now() - before))
            }
            let peakAfter = Self.fmaPeak()
            let median = runs.sorted { $0.seconds < $1.seconds }[runs.count / 2]
            let t = median.seconds, c = median.counters
            var line = BenchLine(name: name, seconds: t, tokensPerSecond: Double(ids.count) / t,
                                 gflops: model.forwardFLOPs(rowLengths: [ids.count]) / t / 1e9,
                                 extra: [("min_seconds", runs.map(\.seconds).min() ?? t), ("max_seconds", runs.map(\.seconds).max() ?? t),
                                         ("cpu_seconds", c.cpuSeconds), ("minor_faults", Double(c.minorFaults)),
                                         ("context_switches", Double(c.voluntarySwitches + c.involuntarySwitches))],
                                 note: String(format: "median of 5 (%.3f-%.3f s), %d tokens; that run: cpu %.3f s, %d page faults, %d+%d context switches",
                                              runs.map(\.seconds).min() ?? t, runs.map(\.seconds).max() ?? t, ids.count,
                                              c.cpuSeconds, c.minorFaults, c.voluntarySwitches, c.involuntarySwitches)
                                     + Self.precisionNote(model))
            line.bracketPeak(before: peakBefore, after: peakAfter)
            return line
        }
        let parts = name.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { throw CLIError("bad case \(name)") }
        let (rows, length) = (parts[0], parts[1])
        guard length <= model.maxLength else {
            throw CLIError("\(model.name) accepts at most \(model.maxLength) tokens per input")
        }
        let batch = (0..<rows).map { Self.randomIDs(length, model: model, seed: UInt64(10 + $0)) }
        let task = try benchTask(model)
        let tokens = rows * length, flops = model.forwardFLOPs(rowLengths: Array(repeating: length, count: rows))
        var runs: [BenchLine] = []
        for _ in 0..<repeats {
            let peakBefore = Self.fmaPeak()
            let before = ProcessCounters.now()
            let (_, t) = try measure { try model.embed(ids: batch, tasks: [task]) }
            let cpu = (ProcessCounters.now() - before).cpuSeconds
            let peakAfter = Self.fmaPeak()
            var line = BenchLine(name: name, seconds: t, tokensPerSecond: Double(tokens) / t, gflops: flops / t / 1e9,
                                 extra: [("cpu_seconds", cpu)],
                                 note: String(format: "task %@, cpu %.2f s", task ?? "none", cpu) + Self.precisionNote(model))
            line.bracketPeak(before: peakBefore, after: peakAfter)
            runs.append(line)
        }
        return Self.medianRun(runs)
    }

    /// One line for repeated runs of a case: the run with the median share of its own bracketed peak (by
    /// time when no peak was measured), naming every run's share or time. The host's neighbours move a
    /// 13-second case by up to 15 % between runs (BENCHMARKS.md, issue 16); the median of several runs
    /// says what the machine does, one run what that minute did.
    static func medianRun(_ runs: [BenchLine]) -> BenchLine {
        guard runs.count > 1 else { return runs[0] }
        let shares = runs.compactMap(\.shareOfPeak)
        let byShare = shares.count == runs.count
        let ordered = byShare ? runs.sorted { $0.shareOfPeak! < $1.shareOfPeak! } : runs.sorted { $0.seconds > $1.seconds }
        var line = ordered[ordered.count / 2]
        let listed = byShare ? shares.map { String(format: "%.3f", $0) } : runs.map { String(format: "%.3f s", $0.seconds) }
        line.note = (line.note ?? "") + "; median of \(runs.count) runs by \(byShare ? "share" : "time") (\(listed.joined(separator: " ")))"
        line.extra += [("runs", Double(runs.count))]
        if byShare { line.extra += [("of_fma_peak_min", shares.min()!), ("of_fma_peak_max", shares.max()!)] }
        return line
    }

    /// The fp32 fma peak right now (~0.2 s). Measured before and after every timed case (`bracketPeak`): the
    /// clock of a shared or warm machine moves by 5-10 % within a minute, so one peak read at the start of a
    /// run misstates a case that ran at another clock.
    static func fmaPeak() -> Double { FastKernels.fmaPeakGFLOPS(threads: FastKernels.threads) }

    static func precisionNote(_ model: EmbeddingModel) -> String {
        model.precision == .exact ? "" : ", precision \(model.precision.rawValue)"
    }

    static func isBatchCase(_ name: String) -> Bool {
        let parts = name.split(separator: "x", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { Int($0).map { $0 > 0 } ?? false }
    }

    func benchTask(_ model: EmbeddingModel) throws -> String? {
        try cliErrors {
            try TaskDefaults.resolve(task, preferred: TaskDefaults.passages, tasks: model.tasks,
                                     defaultTask: model.defaultTask, model: model.name)
        }
    }

    /// `<s>`, random ids from the vocabulary (skipping the first specials), `</s>`.
    static func randomIDs(_ count: Int, model: EmbeddingModel, seed: UInt64) -> [Int32] {
        var state = seed &* 0x9E3779B97F4A7C15 &+ 1
        let vocab = UInt64(max(model.config.vocabSize - 10, 1))
        var ids: [Int32] = (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32(5 + (state >> 33) % vocab)
        }
        let bos: Int32 = model.config.modelType == "bert" ? 101 : 0, eos: Int32 = model.config.modelType == "bert" ? 102 : 2
        if count >= 2 { ids[0] = bos; ids[count - 1] = eos }
        return ids
    }

    /// OpenBLAS sgemm GFLOP/s on a model-shaped product: [512, 1024] · [4096, 1024]ᵀ (an fc1 of jina-v3).
    static func measureSgemm() -> Double {
        let m = 512, n = 4096, k = 1024
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        var c = [Float](repeating: 0, count: m * n)
        func once() { BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, transB: true, c: &c, ldc: n) }
        once()
        var best = Double.infinity
        for _ in 0..<3 { best = min(best, measure(once).1) }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }

    static func human(_ l: BenchLine) -> String {
        var parts = [l.name.padding(toLength: max(8, l.name.count), withPad: " ", startingAt: 0), String(format: "%9.3f s", l.seconds)]
        if let t = l.tokensPerSecond { parts.append(String(format: "%9.1f tok/s", t)) }
        if let g = l.gflops { parts.append(String(format: "%7.1f GFLOP/s", g)) }
        if let s = l.sgemmGflops { parts.append(String(format: "sgemm %.0f", s)) }
        if let e = l.efficiency { parts.append(String(format: "eff %.2f", e)) }
        if let share = l.shareOfPeak {
            let bracket = l.peakBracket.map { String(format: " %.0f-%.0f", $0.before, $0.after) } ?? ""
            parts.append(String(format: "%.0f%% of peak", 100 * share) + bracket)
        }
        if let r = l.peakRSSBytes { parts.append(String(format: "peak RSS %.2f GB", Double(r) / 1e9)) }
        if let n = l.note { parts.append("[\(n)]") }
        return parts.joined(separator: "  ")
    }
}

/// Lazily loads the model once for all cases (so `load` measures the first load).
final class BenchContext {
    let options: ModelOptions
    private var loaded: EmbeddingModel?
    init(options: ModelOptions) { self.options = options }
    func model() throws -> EmbeddingModel {
        if let loaded { return loaded }
        let m = try options.loadModel()
        loaded = m
        return m
    }
}

/// Bench cases registered by other modules (tokenizer-load, tokenize, search-10k, ...):
/// add an entry to this table; `loupe bench --case NAME` runs it and prints its BenchLine
/// (sgemm GFLOP/s and peak RSS are filled in when the case leaves them nil).
enum BenchRegistry {
    static let extra: [String: @Sendable (BenchContext) throws -> [BenchLine]] = {
        var table: [String: @Sendable (BenchContext) throws -> [BenchLine]] = [:]
        // Tokenizer load + throughput on the model's tokenizer.json (or --tokenizer-style path via --model).
        table["tokenizer"] = { context in
            guard let dir = context.options.model else {
                throw CLIError("the tokenizer case needs --model DIR (a folder with tokenizer.json)")
            }
            return try TokenizerBenchmark.run(tokenizerPath: URL(fileURLWithPath: dir).appendingPathComponent("tokenizer.json").path)
        }
        for name in AnalysisBenchmark.cases {
            table[name] = { _ in try AnalysisBenchmark.run(name).map { [$0] } ?? [] }
        }
        table["gemm"] = { _ in KernelBenchmark.run() }
        table["quality"] = { context in try QualityBenchmark.run(context) }
        table["corpus"] = { _ in CorpusBenchmark.run() }
        return table
    }()
}
